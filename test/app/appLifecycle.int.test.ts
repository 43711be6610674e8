import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, type App, type AppModule, type BackgroundService } from '../../src/app';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/adapters/logging/createLogger';
import { simControl } from '../support/bitvavoSimulator';
import { marketBuy } from '../support/appHarness';
import { createTestDatabase, type TestDatabase } from '../support/testDatabase';

/** The composition root: readiness, docs, request logs, modules and a graceful stop. */
describe('app lifecycle', () => {
  let db: TestDatabase | undefined;
  let app: App | undefined;
  afterEach(async () => {
    await app?.stop();
    await db?.drop();
    app = undefined;
    db = undefined;
  });

  const lines: string[] = [];
  const logger = createLogger(
    { level: 'info' },
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(chunk.toString('utf8'));
        callback();
      },
    }),
  );

  const start = async (modules: readonly AppModule[] = []) => {
    db = await createTestDatabase();
    const config = loadConfig({ PORT: '0', BITVAVO_RATE_LIMIT_PER_MIN: '0', LOG_LEVEL: 'info' });
    // The app owns this pool (connection string), so stop() must close it.
    app = await createApp(config, {
      connectionString: db.connectionString,
      logger,
      exchange: { simulator: { priceDrift: false } },
      modules,
    });
    const trader = (await app.services.keys.create({ role: 'trader', userId: 'alice' })).key;
    await app.services.policy.execute('alice', [
      { type: 'EnableTrading', actor: 'ops:test', reason: 'test' },
    ]);
    const { url } = await app.start();
    return { url, trader };
  };

  it('serves /healthz, /readyz (database, event store, exchange) and the OpenAPI UI at /docs', async () => {
    const { url } = await start();
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'ready',
      checks: { database: 'ok', eventStore: 'ok', exchange: 'ok' },
    });
    const docs = await fetch(`${url}/docs/`);
    expect(docs.status).toBe(200);
    expect(docs.headers.get('content-type')).toMatch(/text\/html/);
    const spec = (await (await fetch(`${url}/docs/json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(['/v1/executions', '/v1/executions/{clientOrderId}']),
    );
    const headers = (await fetch(`${url}/healthz`)).headers;
    expect(headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('logs each request with its request id, never the API key', async () => {
    const { url, trader } = await start();
    lines.length = 0;
    const response = await fetch(`${url}/v1/executions`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${trader}`,
        'content-type': 'application/json',
        'x-request-id': 'req-123',
      },
      body: JSON.stringify(marketBuy()),
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-request-id')).toBe('req-123');
    const logged = lines.join('');
    expect(logged).toContain('"reqId":"req-123"');
    expect(logged).toContain('request completed');
    expect(logged).not.toContain(trader);
  });

  it('an API key sent as the request id is replaced, so it is neither logged nor echoed', async () => {
    const { url, trader } = await start();
    lines.length = 0;
    const response = await fetch(`${url}/v1/executions`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${trader}`,
        'content-type': 'application/json',
        'x-request-id': `trace-${trader}`,
      },
      body: JSON.stringify(marketBuy()),
    });
    expect(response.status).toBe(201);
    const echoed = response.headers.get('x-request-id') ?? '';
    expect(echoed).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines.join('')).toContain(`"reqId":"${echoed}"`);
    expect(lines.join('')).not.toContain(trader);
  });

  it('a start-up hold keeps new submissions out (503 NOT_READY) and /readyz false until released', async () => {
    let release: () => void = () => undefined;
    const hold: BackgroundService = {
      name: 'startup-reconciliation',
      start: async () => {
        release = app!.context.readiness.hold('startupReconciliation');
      },
      stop: async () => undefined,
    };
    const { url, trader } = await start([{ name: 'test', backgroundServices: () => [hold] }]);
    const post = () =>
      fetch(`${url}/v1/executions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${trader}`, 'content-type': 'application/json' },
        body: JSON.stringify(marketBuy()),
      });
    const held = await post();
    expect(held.status).toBe(503);
    expect(((await held.json()) as { error: { code: string } }).error.code).toBe('NOT_READY');
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { checks: Record<string, string> }).checks['startupReconciliation']).toBe(
      'in progress',
    );
    release();
    expect((await post()).status).toBe(201);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
  });

  it('stops gracefully: a request in flight finishes, background services stop, then the pool closes', async () => {
    const order: string[] = [];
    const service: BackgroundService = {
      name: 'recorder',
      start: async () => void order.push('started'),
      stop: async () => void order.push('stopped'),
    };
    const { url, trader } = await start([{ name: 'test', backgroundServices: () => [service] }]);
    await simControl(app!.context.exchange.simulator!).faults([
      { kind: 'delay', method: 'POST', path: '/order', ms: 600 },
    ]);
    const inFlight = fetch(`${url}/v1/executions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${trader}`, 'content-type': 'application/json' },
      body: JSON.stringify(marketBuy()),
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const stopped = app!.stop().then(() => order.push('app stopped'));
    // The request was sent before stop() and needs the pool after its delayed send: a 201 with the
    // exchange's order id means it ran to the end while the app was stopping.
    const response = await inFlight;
    expect(response.status).toBe(201);
    expect(((await response.json()) as { execution: { status: string } }).execution.status).toBe('FILLED');
    await stopped;
    expect(order).toEqual(['started', 'stopped', 'app stopped']);
    await expect(app!.context.pool.query('SELECT 1')).rejects.toThrow();
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });
});
