import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator } from '../../../../src/adapters/exchange/simulator/startSimulator';
import { rawBitvavoRequest, simControl } from '../../../support/bitvavoSimulator';
import type { RunningSimulator } from '../../../../src/adapters/exchange/simulator/startSimulator';

const order = (fields: Record<string, unknown>) =>
  JSON.stringify({ market: 'BTC-EUR', side: 'buy', orderType: 'market', operatorId: 1001, ...fields });

describe('the simulator speaks Bitvavo, errors included', () => {
  let sim: RunningSimulator;
  let control: ReturnType<typeof simControl>;
  const post = (body: string) => rawBitvavoRequest(sim.url, { method: 'POST', pathAndQuery: '/order', body });

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, priceDrift: false, seed: 3 });
    control = simControl(sim);
  });
  afterAll(async () => {
    await sim.close();
  });
  beforeEach(async () => {
    await control.reset();
  });

  it('listens on loopback with the API under /v2 and the control API under /_sim', () => {
    expect(sim.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v2$/);
    expect(sim.controlUrl).toBe(sim.url.replace(/\/v2$/, '/_sim'));
  });

  it('GET /time answers the server time', async () => {
    const body = (await (await fetch(`${sim.url}/time`)).json()) as { time: number };
    expect(Math.abs(body.time - Date.now())).toBeLessThan(1_000);
  });

  it.each([
    ['operatorId missing', order({ operatorId: undefined, amount: '0.01' }), 400, 203],
    ['operatorId not an integer', order({ operatorId: '1001', amount: '0.01' }), 400, 205],
    ['clientOrderId not a UUID', order({ clientOrderId: 'my-order-1', amount: '0.01' }), 400, 205],
    ['unknown market', order({ market: 'XRP-EUR', amount: '1' }), 400, 205],
    ['unknown parameter', order({ amount: '0.01', leverage: '10' }), 400, 204],
    ['too many decimals in amount', order({ amount: '0.123456789' }), 400, 429],
    ['too many decimals in amountQuote', order({ amountQuote: '10.001' }), 400, 429],
    ['amount as a number', order({ amount: 0.01 }), 400, 205],
    ['price on a market order', order({ amount: '0.01', price: '60000' }), 400, 202],
    ['both amount and amountQuote', order({ amount: '0.01', amountQuote: '10' }), 400, 236],
    ['neither amount nor amountQuote', order({}), 400, 203],
    ['limit without price', order({ orderType: 'limit', amount: '0.01' }), 400, 203],
    [
      'limit price off the tick size',
      order({ orderType: 'limit', amount: '0.01', price: '60000.5' }),
      400,
      422,
    ],
    ['amount below the minimum', order({ amount: '0.000001' }), 400, 212],
    ['value below the minimum', order({ amount: '0.00005' }), 400, 217],
    ['amountQuote below the minimum', order({ amountQuote: '4.99' }), 400, 217],
    ['insufficient balance', order({ amount: '1' }), 400, 216],
    ['invalid JSON', '{"market": ', 400, 102],
  ])('POST /order with %s → %i / %i', async (_name, body, status, errorCode) => {
    const response = await post(body);
    expect(response.status).toBe(status);
    expect(response.body).toEqual({ errorCode, error: expect.any(String) });
    expect(await control.orders()).toEqual([]);
  });

  it('answers unknown endpoints (110), unknown query parameters (200) and a body on GET (201)', async () => {
    const unknown = await fetch(`${sim.url}/nope`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ errorCode: 110 });
    expect(await rawBitvavoRequest(sim.url, { method: 'GET', pathAndQuery: '/balance?foo=1' })).toMatchObject(
      {
        status: 400,
        body: { errorCode: 200 },
      },
    );
    const withBody = await rawBitvavoRequest(sim.url, {
      method: 'DELETE',
      pathAndQuery: '/order?market=BTC-EUR&orderId=x&operatorId=1',
      body: '{}',
    });
    expect(withBody).toMatchObject({ status: 400, body: { errorCode: 201 } });
  });

  it('requires an order reference on GET /order and operatorId on DELETE /order (203)', async () => {
    expect(
      await rawBitvavoRequest(sim.url, { method: 'GET', pathAndQuery: '/order?market=BTC-EUR' }),
    ).toMatchObject({
      status: 400,
      body: { errorCode: 203 },
    });
    const id = randomUUID();
    expect(
      await rawBitvavoRequest(sim.url, {
        method: 'DELETE',
        pathAndQuery: `/order?market=BTC-EUR&clientOrderId=${id}`,
      }),
    ).toMatchObject({ status: 400, body: { errorCode: 203 } });
  });

  it('renders orders with Bitvavo fields and statuses', async () => {
    const clientOrderId = randomUUID();
    const response = await post(order({ orderType: 'limit', amount: '0.01', price: '55000', clientOrderId }));
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      orderId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      clientOrderId,
      market: 'BTC-EUR',
      created: expect.any(Number),
      updated: expect.any(Number),
      status: 'new',
      side: 'buy',
      orderType: 'limit',
      amount: '0.01',
      amountRemaining: '0.01',
      price: '55000',
      onHold: '551.38',
      onHoldCurrency: 'EUR',
      filledAmount: '0',
      filledAmountQuote: '0',
      feePaid: '0',
      feeCurrency: 'EUR',
      fills: [],
      selfTradePrevention: 'decrementAndCancel',
      visible: true,
      timeInForce: 'GTC',
      postOnly: false,
      operatorId: 1001,
    });
    const open = await rawBitvavoRequest(sim.url, {
      method: 'GET',
      pathAndQuery: '/ordersOpen?market=BTC-EUR',
    });
    expect(open.body).toEqual([expect.objectContaining({ clientOrderId })]);
  });

  it('weighs GET /ordersOpen without a market at 25 points', async () => {
    const first = await rawBitvavoRequest(sim.url, {
      method: 'GET',
      pathAndQuery: '/ordersOpen?market=BTC-EUR',
    });
    const second = await rawBitvavoRequest(sim.url, { method: 'GET', pathAndQuery: '/ordersOpen' });
    const remaining = (r: typeof first) => Number(r.headers.get('bitvavo-ratelimit-remaining'));
    expect(remaining(first) - remaining(second)).toBe(25);
    expect(second.headers.get('bitvavo-ratelimit-limit')).toBe('1000');
  });

  it('/_sim/balance sets a balance and /_sim/reset restores the demo account and forgets every order', async () => {
    expect((await control.balance('EUR', '25')).body).toEqual({
      symbol: 'EUR',
      available: '25',
      inOrder: '0',
    });
    expect((await post(order({ amount: '0.001' }))).status).toBe(400); // 60 EUR needed
    expect((await control.balance('EUR', '100')).status).toBe(200);
    expect((await post(order({ amount: '0.001' }))).status).toBe(200);
    expect(await control.orders()).toHaveLength(1);
    await control.reset();
    expect(await control.orders()).toEqual([]);
    const balance = await rawBitvavoRequest(sim.url, { method: 'GET', pathAndQuery: '/balance' });
    expect(balance.body).toEqual([
      { symbol: 'EUR', available: '10000', inOrder: '0' },
      { symbol: 'BTC', available: '0.5', inOrder: '0' },
      { symbol: 'ETH', available: '5', inOrder: '0' },
    ]);
  });

  it('refuses bad control requests with a Bitvavo-shaped error', async () => {
    expect(await control.price('XRP-EUR', '1')).toMatchObject({ status: 400, body: { errorCode: 205 } });
    expect(await control.price('BTC-EUR', '-5')).toMatchObject({ status: 400, body: { errorCode: 205 } });
    expect(await control.call('POST', '/balance', { symbol: 'EUR' })).toMatchObject({ status: 400 });
    expect(await control.call('GET', '/nothing')).toMatchObject({ status: 404, body: { errorCode: 110 } });
  });

  it('GET /ticker/price follows /_sim/price', async () => {
    await control.price('ETH-EUR', '3100.5');
    const price = await fetch(`${sim.url}/ticker/price?market=ETH-EUR`);
    expect(await price.json()).toEqual({ market: 'ETH-EUR', price: '3100.5' });
  });
});

describe('closing the simulator', () => {
  it('does not wait for a request held by a timeout fault', async () => {
    const sim = await startSimulator({ port: 0, priceDrift: false });
    await simControl(sim).faults([{ kind: 'timeout', method: 'GET', path: '/time' }]);
    const held = fetch(`${sim.url}/time`).then(
      () => 'answered',
      () => 'dropped',
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const startedMs = Date.now();
    await sim.close();
    expect(Date.now() - startedMs).toBeLessThan(1_000);
    expect(await held).toBe('dropped');
  });

  it('a timeout fault drops the connection after maxHoldMs', async () => {
    const sim = await startSimulator({ port: 0, priceDrift: false, maxHoldMs: 100 });
    try {
      await simControl(sim).faults([{ kind: 'timeout', method: 'GET', path: '/time' }]);
      const startedMs = Date.now();
      await expect(fetch(`${sim.url}/time`)).rejects.toThrow();
      expect(Date.now() - startedMs).toBeGreaterThanOrEqual(90);
    } finally {
      await sim.close();
    }
  });
});
