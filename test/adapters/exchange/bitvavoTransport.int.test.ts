import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createBitvavoClient,
  type BitvavoClient,
} from '../../../src/adapters/exchange/bitvavo/BitvavoClient';
import { captureLogger } from '../../support/bitvavoSimulator';

type Behaviour = (req: IncomingMessage, res: ServerResponse) => void;

const MARKETS = [
  {
    market: 'BTC-EUR',
    status: 'trading',
    base: 'BTC',
    quote: 'EUR',
    pricePrecision: 5,
    minOrderInBaseAsset: '0.00001',
    minOrderInQuoteAsset: '5',
    maxOrderInBaseAsset: '1000',
    maxOrderInQuoteAsset: '1000000000',
    quantityDecimals: 8,
    notionalDecimals: 2,
    tickSize: '1',
    orderTypes: ['market', 'limit'],
  },
];

/** A stand-in for the exchange's edge that misbehaves on purpose, one behaviour per path. */
async function startStub(
  behaviours: Record<string, Behaviour>,
): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://stub').pathname;
    req.resume();
    req.on('end', () => {
      const json = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (path === '/v2/time') return json(200, { time: Date.now() });
      if (path === '/v2/markets') return json(200, MARKETS);
      const behaviour = behaviours[path];
      if (behaviour === undefined) return json(404, { errorCode: 110, error: 'Invalid endpoint.' });
      behaviour(req, res);
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/v2`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function clientFor(apiUrl: string, timeoutMs = 1_000): BitvavoClient {
  return createBitvavoClient({
    apiUrl,
    apiKey: 'sim-api-key',
    apiSecret: 'sim-api-secret',
    operatorId: 1001,
    timeoutMs,
    accessWindowMs: 10_000,
    logger: captureLogger().logger,
  });
}

describe('BitvavoClient transport errors: could the request have reached the exchange?', () => {
  let stub: Awaited<ReturnType<typeof startStub>>;
  let client: BitvavoClient;

  beforeAll(async () => {
    stub = await startStub({
      '/v2/ticker/price': (_req, res) => {
        res.writeHead(502, { 'content-type': 'text/html' });
        res.end('<html>Bad Gateway</html>');
      },
      '/v2/balance': (_req, res) => {
        res.writeHead(404, { 'content-type': 'text/html' });
        res.end('<html>Not Found</html>');
      },
      '/v2/orders': (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"truncated": ');
      },
      '/v2/order': (req, res) => {
        if (req.method === 'POST') {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ hello: 'not an order' }));
          return;
        }
        if (req.method === 'DELETE') {
          // Headers, part of a body, then the connection dies.
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
          res.write('{"orderId":');
          setTimeout(() => res.socket?.destroy(), 20);
          return;
        }
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end('');
      },
    });
    client = clientFor(stub.url);
  });
  afterAll(async () => {
    await client.close();
    await stub.close();
  });

  it('connection refused (nothing listening) → SOFT_NOT_EXECUTED: the request never left', async () => {
    const closed = await startStub({});
    const url = closed.url;
    await closed.close();
    const refused = clientFor(url);
    const result = await refused.getTickerPrice('BTC-EUR');
    expect(result).toMatchObject({ ok: false, errorClass: 'SOFT_NOT_EXECUTED', httpStatus: undefined });
    expect(result.ok ? '' : result.message).toContain('connection_refused');
    await refused.close();
  });

  it('DNS failure → SOFT_NOT_EXECUTED', async () => {
    const nowhere = clientFor('http://nonexistent-host.invalid/v2');
    const result = await nowhere.getTickerPrice('BTC-EUR');
    expect(result).toMatchObject({ ok: false, errorClass: 'SOFT_NOT_EXECUTED' });
    expect(result.ok ? '' : result.message).toContain('dns_failure');
    await nowhere.close();
  });

  it('a bare 502 (no Bitvavo errorCode) → UNKNOWN', async () => {
    expect(await client.getTickerPrice('BTC-EUR')).toMatchObject({
      ok: false,
      errorClass: 'UNKNOWN',
      httpStatus: 502,
      errorCode: undefined,
    });
  });

  it('a bare 503 with an empty body → UNKNOWN', async () => {
    expect(await client.getOrderByClientOrderId('BTC-EUR', randomUUID())).toMatchObject({
      ok: false,
      errorClass: 'UNKNOWN',
      httpStatus: 503,
    });
  });

  it('a bare 404 from the edge → HARD (never NOT_FOUND: only errorCode 240 is evidence)', async () => {
    expect(await client.getBalance()).toMatchObject({
      ok: false,
      errorClass: 'HARD',
      httpStatus: 404,
      errorCode: undefined,
    });
  });

  it('a 200 whose body is not JSON → UNKNOWN', async () => {
    expect(await client.listOrders('BTC-EUR', {})).toMatchObject({
      ok: false,
      errorClass: 'UNKNOWN',
      httpStatus: 200,
    });
  });

  it('a connection that dies mid-body → UNKNOWN', async () => {
    expect(await client.cancelOrder('BTC-EUR', { orderId: randomUUID() })).toMatchObject({
      ok: false,
      errorClass: 'UNKNOWN',
    });
  });

  it('an acknowledged order whose body is not an order → UNKNOWN (it may well be placed)', async () => {
    const result = await client.placeOrder({
      market: 'BTC-EUR',
      side: 'buy',
      orderType: 'market',
      clientOrderId: randomUUID(),
      amount: '0.01',
    });
    expect(result).toMatchObject({ ok: false, errorClass: 'UNKNOWN', httpStatus: 200 });
  });

  it('market rules that cannot be fetched → SOFT_NOT_EXECUTED, the order is not sent', async () => {
    const closed = await startStub({});
    const url = closed.url;
    await closed.close();
    const offline = clientFor(url);
    const result = await offline.placeOrder({
      market: 'BTC-EUR',
      side: 'buy',
      orderType: 'market',
      clientOrderId: randomUUID(),
      amount: '0.01',
    });
    expect(result).toMatchObject({ ok: false, errorClass: 'SOFT_NOT_EXECUTED' });
    expect(result.ok ? '' : result.message).toContain('market rules unavailable');
    await offline.close();
  });
});
