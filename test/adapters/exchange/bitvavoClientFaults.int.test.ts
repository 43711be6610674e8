import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { PlaceOrderRequest } from '../../../src/domain/ports/exchange';
import { startSimulatorHarness, type SimulatorHarness } from '../../support/bitvavoSimulator';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const marketBuy = (clientOrderId = randomUUID()): PlaceOrderRequest => ({
  market: 'BTC-EUR',
  side: 'buy',
  orderType: 'market',
  clientOrderId,
  amount: '0.01',
});

describe('BitvavoClient under scripted simulator faults', () => {
  let h: SimulatorHarness;

  beforeAll(async () => {
    // A short client timeout keeps the timeout cases quick.
    h = await startSimulatorHarness({}, { timeoutMs: 400 });
    await h.client.getMarkets(); // warm the rules cache so the faults hit POST /order
  });
  afterAll(async () => {
    await h.close();
  });
  beforeEach(async () => {
    await h.control.reset();
  });

  it('the killer: drop_after_commit → UNKNOWN, the lookup finds the order, and there is exactly one', async () => {
    await h.control.faults([{ kind: 'drop_after_commit' }]);
    const request = marketBuy();
    const sent = await h.client.placeOrder(request);
    expect(sent).toMatchObject({ ok: false, errorClass: 'UNKNOWN', httpStatus: undefined });
    const found = await h.client.getOrderByClientOrderId('BTC-EUR', request.clientOrderId);
    expect(found).toMatchObject({
      ok: true,
      value: { clientOrderId: request.clientOrderId, status: 'filled' },
    });
    const orders = await h.control.orders();
    expect(orders).toHaveLength(1);
    expect(orders[0]?.clientOrderId).toBe(request.clientOrderId);
  });

  it('timeout: the simulator holds the request; the client gives up after its timeout with UNKNOWN; nothing was placed', async () => {
    await h.control.faults([{ kind: 'timeout' }]);
    const request = marketBuy();
    const startedMs = Date.now();
    const sent = await h.client.placeOrder(request);
    const tookMs = Date.now() - startedMs;
    expect(sent).toMatchObject({ ok: false, errorClass: 'UNKNOWN' });
    expect(sent.ok ? '' : sent.message).toContain('timeout');
    expect(tookMs).toBeGreaterThanOrEqual(380);
    expect(tookMs).toBeLessThan(2_000);
    expect(await h.client.getOrderByClientOrderId('BTC-EUR', request.clientOrderId)).toMatchObject({
      ok: false,
      errorClass: 'NOT_FOUND',
    });
    expect(await h.control.orders()).toEqual([]);
  });

  it('error_before_commit (default 503 / 107) → SOFT_NOT_EXECUTED and nothing placed', async () => {
    await h.control.faults([{ kind: 'error_before_commit' }]);
    const sent = await h.client.placeOrder(marketBuy());
    expect(sent).toMatchObject({
      ok: false,
      errorClass: 'SOFT_NOT_EXECUTED',
      httpStatus: 503,
      errorCode: 107,
    });
    expect(await h.control.orders()).toEqual([]);
  });

  it('error_before_commit with a code of uncertain outcome (500 / 101) → UNKNOWN although nothing was placed', async () => {
    await h.control.faults([{ kind: 'error_before_commit', status: 500, errorCode: 101 }]);
    const request = marketBuy();
    expect(await h.client.placeOrder(request)).toMatchObject({
      ok: false,
      errorClass: 'UNKNOWN',
      errorCode: 101,
    });
    expect(await h.client.getOrderByClientOrderId('BTC-EUR', request.clientOrderId)).toMatchObject({
      errorClass: 'NOT_FOUND',
    });
  });

  it('error_after_commit (default 500 / 101) → UNKNOWN, and the order exists', async () => {
    await h.control.faults([{ kind: 'error_after_commit' }]);
    const request = marketBuy();
    expect(await h.client.placeOrder(request)).toMatchObject({
      ok: false,
      errorClass: 'UNKNOWN',
      httpStatus: 500,
      errorCode: 101,
    });
    expect(await h.client.getOrderByClientOrderId('BTC-EUR', request.clientOrderId)).toMatchObject({
      ok: true,
      value: { status: 'filled' },
    });
  });

  it('error_after_commit with 503 / 109 (matching engine timeout) → UNKNOWN', async () => {
    await h.control.faults([{ kind: 'error_after_commit', status: 503, errorCode: 109 }]);
    expect(await h.client.placeOrder(marketBuy())).toMatchObject({
      ok: false,
      errorClass: 'UNKNOWN',
      errorCode: 109,
    });
    expect(await h.control.orders()).toHaveLength(1);
  });

  it.each([
    [429, 105, 'SOFT_NOT_EXECUTED'],
    [503, 108, 'SOFT_NOT_EXECUTED'],
    [503, 111, 'UNKNOWN'],
    [503, 419, 'UNKNOWN'],
    [503, 430, 'UNKNOWN'],
    [400, 216, 'HARD'],
    [400, 220, 'ALREADY_EXISTS'],
    [403, 304, 'SOFT_NOT_EXECUTED'],
    [403, 309, 'HARD'],
  ] as const)('an injected %i / %i is classified %s', async (status, errorCode, errorClass) => {
    // A fresh client each time: after a 105 the client rightly refuses to send anything for a minute.
    const client = h.newClient();
    await client.getMarkets();
    await h.control.faults([{ kind: 'error_before_commit', status, errorCode }]);
    expect(await client.placeOrder(marketBuy())).toMatchObject({
      ok: false,
      errorClass,
      httpStatus: status,
      errorCode,
    });
  });

  it('after a 105 the client refuses locally instead of sending into the ban', async () => {
    const client = h.newClient();
    await client.getMarkets();
    await h.control.faults([{ kind: 'error_before_commit', status: 429, errorCode: 105 }]);
    expect(await client.placeOrder(marketBuy())).toMatchObject({
      errorClass: 'SOFT_NOT_EXECUTED',
      errorCode: 105,
    });
    const refused = await client.getTickerPrice('BTC-EUR');
    expect(refused).toMatchObject({ ok: false, errorClass: 'SOFT_NOT_EXECUTED', httpStatus: undefined });
    expect(refused.ok ? '' : refused.message).toContain('banned');
    expect(client.rateLimitRemaining()).toBe(0);
  });

  it('delay shorter than the client timeout: acknowledged, just late', async () => {
    await h.control.faults([{ kind: 'delay', ms: 150 }]);
    const startedMs = Date.now();
    const sent = await h.client.placeOrder(marketBuy());
    expect(sent.ok).toBe(true);
    expect(Date.now() - startedMs).toBeGreaterThanOrEqual(140);
  });

  it('delay longer than the client timeout, inside the access window: UNKNOWN, and the order lands later', async () => {
    await h.control.faults([{ kind: 'delay', ms: 700 }]);
    const request = marketBuy();
    expect(await h.client.placeOrder(request)).toMatchObject({ ok: false, errorClass: 'UNKNOWN' });
    expect(await h.control.orders()).toEqual([]);
    await sleep(600);
    expect(await h.client.getOrderByClientOrderId('BTC-EUR', request.clientOrderId)).toMatchObject({
      ok: true,
    });
  });

  it('delay past the access window: the exchange refuses the late request (304), so it is never placed', async () => {
    const shortWindow = h.newClient({ timeoutMs: 400, accessWindowMs: 300 });
    await shortWindow.getMarkets();
    await h.control.faults([{ kind: 'delay', ms: 700 }]);
    const request = marketBuy();
    expect(await shortWindow.placeOrder(request)).toMatchObject({ ok: false, errorClass: 'UNKNOWN' });
    await sleep(600);
    expect(await h.control.orders()).toEqual([]);
    expect(await shortWindow.getOrderByClientOrderId('BTC-EUR', request.clientOrderId)).toMatchObject({
      errorClass: 'NOT_FOUND',
    });
  });

  it('faults match method and path, and count', async () => {
    await h.control.faults([{ kind: 'error_before_commit', method: 'GET', path: '/v2/balance', count: 2 }]);
    expect(await h.client.placeOrder(marketBuy())).toMatchObject({ ok: true });
    expect(await h.client.getBalance()).toMatchObject({ ok: false, errorClass: 'SOFT_NOT_EXECUTED' });
    expect(await h.client.getBalance()).toMatchObject({ ok: false, errorClass: 'SOFT_NOT_EXECUTED' });
    expect(await h.client.getBalance()).toMatchObject({ ok: true });
  });

  it('drop_after_commit on a lookup → UNKNOWN, never NOT_FOUND (a failed lookup is no evidence)', async () => {
    await h.control.faults([{ kind: 'drop_after_commit', method: 'GET', path: '/order' }]);
    expect(await h.client.getOrderByClientOrderId('BTC-EUR', randomUUID())).toMatchObject({
      ok: false,
      errorClass: 'UNKNOWN',
    });
  });

  it('rejects malformed fault scripts with a Bitvavo-shaped error', async () => {
    const response = await h.control.call('POST', '/faults', { faults: [{ kind: 'explode' }] });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ errorCode: 205 });
    expect(typeof response.body.error).toBe('string');
  });
});

describe('random faults (--fault-rate)', () => {
  async function outcomes(seed: number): Promise<string[]> {
    const h = await startSimulatorHarness({ seed, faultRate: 0.5, maxHoldMs: 50 }, { timeoutMs: 3_000 });
    try {
      const result: string[] = [];
      for (let i = 0; i < 16; i += 1) {
        const price = await h.client.getTickerPrice('ETH-EUR');
        result.push(
          price.ok ? 'ok' : `${price.errorClass}:${price.httpStatus ?? '-'}:${price.errorCode ?? '-'}`,
        );
      }
      return result;
    } finally {
      await h.close();
    }
  }

  it('are deterministic for a seed and include failures', async () => {
    const [first, second, other] = await Promise.all([outcomes(11), outcomes(11), outcomes(12)]);
    expect(first).toEqual(second);
    expect(first.some((o) => o !== 'ok')).toBe(true);
    expect(first.some((o) => o === 'ok')).toBe(true);
    expect(other).not.toEqual(first);
  });
});
