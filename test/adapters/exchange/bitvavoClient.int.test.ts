import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RequestEvent } from '../../../src/adapters/exchange/bitvavo/bitvavoHttp';
import type { ExchangeResult } from '../../../src/domain/ports/exchange';
import { startSimulatorHarness, type SimulatorHarness } from '../../support/bitvavoSimulator';

function value<T>(result: ExchangeResult<T>): T {
  if (!result.ok) throw new Error(`expected ok, got ${result.errorClass}: ${result.message}`);
  return result.value;
}

describe('BitvavoClient against the simulator', () => {
  let h: SimulatorHarness;
  const events: RequestEvent[] = [];

  beforeAll(async () => {
    h = await startSimulatorHarness({}, { hooks: { onRequest: (event) => events.push(event) } });
  });
  afterAll(async () => {
    await h.close();
  });
  beforeEach(async () => {
    await h.control.reset();
    events.length = 0;
  });

  it('reads markets, prices and the demo account', async () => {
    const markets = value(await h.client.getMarkets());
    expect(markets.map((m) => m.market)).toEqual(['BTC-EUR', 'ETH-EUR', 'SOL-EUR']);
    expect(markets[0]).toMatchObject({
      quantityDecimals: 8,
      notionalDecimals: 2,
      tickSize: '1',
      minOrderInQuoteAsset: '5',
    });
    expect(value(await h.client.getTickerPrice('BTC-EUR'))).toBe('60000');
    const balances = value(await h.client.getBalance());
    expect(balances).toEqual([
      { symbol: 'EUR', available: '10000', inOrder: '0' },
      { symbol: 'BTC', available: '0.5', inOrder: '0' },
      { symbol: 'ETH', available: '5', inOrder: '0' },
    ]);
    expect(value(await h.client.getBalance('SOL'))).toEqual([
      { symbol: 'SOL', available: '0', inOrder: '0' },
    ]);
  });

  it('fills a market order at once at the ticker price, with fills, fees and operatorId', async () => {
    const clientOrderId = randomUUID();
    const order = value(
      await h.client.placeOrder({
        market: 'BTC-EUR',
        side: 'buy',
        orderType: 'market',
        clientOrderId,
        amount: '0.01',
      }),
    );
    expect(order).toMatchObject({
      clientOrderId,
      status: 'filled',
      filledAmount: '0.01',
      filledAmountQuote: '600',
      feePaid: '1.5',
      feeCurrency: 'EUR',
    });
    expect(order.fills).toHaveLength(1);
    expect(order.fills[0]).toMatchObject({
      amount: '0.01',
      price: '60000',
      fee: '1.5',
      feeCurrency: 'EUR',
      settled: true,
    });
    expect(value(await h.client.getBalance('EUR'))[0]?.available).toBe('9398.5');
    expect(value(await h.client.getBalance('BTC'))[0]?.available).toBe('0.51');
    const [stored] = await h.control.orders();
    expect(stored).toMatchObject({ operatorId: 1001, clientOrderId, status: 'filled' });
  });

  it('buys for a quote amount and sells a base amount', async () => {
    const buy = value(
      await h.client.placeOrder({
        market: 'ETH-EUR',
        side: 'buy',
        orderType: 'market',
        clientOrderId: randomUUID(),
        amountQuote: '100',
      }),
    );
    expect(buy.status).toBe('filled');
    expect(buy.amountQuote).toBe('100');
    const sell = value(
      await h.client.placeOrder({
        market: 'ETH-EUR',
        side: 'sell',
        orderType: 'market',
        clientOrderId: randomUUID(),
        amount: '1',
      }),
    );
    expect(sell).toMatchObject({ status: 'filled', filledAmountQuote: '3000', feePaid: '7.5' });
  });

  it('rests a limit order, holds its funds, and fills it when the price crosses', async () => {
    const clientOrderId = randomUUID();
    const placed = value(
      await h.client.placeOrder({
        market: 'BTC-EUR',
        side: 'buy',
        orderType: 'limit',
        clientOrderId,
        amount: '0.01',
        price: '59000',
      }),
    );
    expect(placed).toMatchObject({ status: 'new', filledAmount: '0', price: '59000' });
    expect(value(await h.client.getBalance('EUR'))[0]).toMatchObject({ inOrder: '591.48' });
    const moved = await h.control.price('BTC-EUR', '59500');
    expect(moved.body.filledOrderIds).toEqual([]);
    await h.control.price('BTC-EUR', '58999');
    const filled = value(await h.client.getOrderByClientOrderId('BTC-EUR', clientOrderId));
    expect(filled).toMatchObject({
      orderId: placed.orderId,
      status: 'filled',
      filledAmount: '0.01',
      filledAmountQuote: '590',
    });
    expect(filled.fills[0]).toMatchObject({ price: '59000', fee: '0.89' });
    expect(value(await h.client.getBalance('EUR'))[0]).toEqual({
      symbol: 'EUR',
      available: '9409.11',
      inOrder: '0',
    });
  });

  it('cancels an open order (funds released) and answers NOT_FOUND for one that is no longer open', async () => {
    const clientOrderId = randomUUID();
    value(
      await h.client.placeOrder({
        market: 'BTC-EUR',
        side: 'sell',
        orderType: 'limit',
        clientOrderId,
        amount: '0.1',
        price: '70000',
      }),
    );
    expect(value(await h.client.getBalance('BTC'))[0]).toMatchObject({ available: '0.4', inOrder: '0.1' });
    const cancelled = value(await h.client.cancelOrder('BTC-EUR', { clientOrderId }));
    expect(value(await h.client.getOrderByClientOrderId('BTC-EUR', clientOrderId))).toMatchObject({
      orderId: cancelled.orderId,
      status: 'canceled',
    });
    expect(value(await h.client.getBalance('BTC'))[0]).toMatchObject({ available: '0.5', inOrder: '0' });
    const again = await h.client.cancelOrder('BTC-EUR', { orderId: cancelled.orderId });
    expect(again).toMatchObject({ ok: false, errorClass: 'NOT_FOUND', httpStatus: 404, errorCode: 240 });
  });

  it('answers NOT_FOUND (404 / 240) for an order that was never placed', async () => {
    const result = await h.client.getOrderByClientOrderId('BTC-EUR', randomUUID());
    expect(result).toMatchObject({ ok: false, errorClass: 'NOT_FOUND', httpStatus: 404, errorCode: 240 });
  });

  it('lists the orders of a market newest first within a time range (the reconcile sweep)', async () => {
    const before = Date.now() - 1;
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    for (const clientOrderId of ids) {
      value(
        await h.client.placeOrder({
          market: 'BTC-EUR',
          side: 'buy',
          orderType: 'market',
          clientOrderId,
          amount: '0.001',
        }),
      );
    }
    value(
      await h.client.placeOrder({
        market: 'ETH-EUR',
        side: 'buy',
        orderType: 'market',
        clientOrderId: randomUUID(),
        amount: '0.01',
      }),
    );
    const listed = value(await h.client.listOrders('BTC-EUR', { startMs: before, endMs: Date.now() + 1 }));
    expect(listed.map((o) => o.clientOrderId)).toEqual([...ids].reverse());
    expect(value(await h.client.listOrders('BTC-EUR', { startMs: Date.now() + 60_000 }))).toEqual([]);
    expect(value(await h.client.listOrders('BTC-EUR', { limit: 2 }))).toHaveLength(2);
  });

  it('HARD: insufficient balance is 216 and nothing is placed', async () => {
    const result = await h.client.placeOrder({
      market: 'BTC-EUR',
      side: 'buy',
      orderType: 'market',
      clientOrderId: randomUUID(),
      amount: '1',
    });
    expect(result).toMatchObject({ ok: false, errorClass: 'HARD', httpStatus: 400, errorCode: 216 });
    const sell = await h.client.placeOrder({
      market: 'ETH-EUR',
      side: 'sell',
      orderType: 'limit',
      clientOrderId: randomUUID(),
      amount: '6',
      price: '3000',
    });
    expect(sell).toMatchObject({ ok: false, errorClass: 'HARD', errorCode: 216 });
    expect(await h.control.orders()).toEqual([]);
  });

  it('refuses a non-UUID clientOrderId and an order below the market minimum without sending anything', async () => {
    const badId = await h.client.placeOrder({
      market: 'BTC-EUR',
      side: 'buy',
      orderType: 'market',
      clientOrderId: 'order-1',
      amount: '0.01',
    });
    expect(badId).toMatchObject({ ok: false, errorClass: 'HARD', errorCode: 205, httpStatus: undefined });
    const tiny = await h.client.placeOrder({
      market: 'BTC-EUR',
      side: 'buy',
      orderType: 'market',
      clientOrderId: randomUUID(),
      amount: '0.000001',
    });
    expect(tiny).toMatchObject({ ok: false, errorClass: 'HARD', errorCode: 212, httpStatus: undefined });
    const offTick = await h.client.placeOrder({
      market: 'BTC-EUR',
      side: 'buy',
      orderType: 'limit',
      clientOrderId: randomUUID(),
      amount: '0.01',
      price: '59000.5',
    });
    expect(offTick).toMatchObject({ ok: false, errorClass: 'HARD', errorCode: 422 });
    const unknownMarket = await h.client.placeOrder({
      market: 'DOGE-EUR',
      side: 'buy',
      orderType: 'market',
      clientOrderId: randomUUID(),
      amount: '1',
    });
    expect(unknownMarket).toMatchObject({ ok: false, errorClass: 'HARD', errorCode: 205 });
    expect(events.filter((e) => e.method === 'POST')).toEqual([]);
    expect(await h.control.orders()).toEqual([]);
  });

  it('rounds an amount down to quantityDecimals before sending', async () => {
    const order = value(
      await h.client.placeOrder({
        market: 'BTC-EUR',
        side: 'buy',
        orderType: 'market',
        clientOrderId: randomUUID(),
        amount: '0.0123456789',
      }),
    );
    expect(order.amount).toBe('0.01234567');
  });

  it('ALREADY_EXISTS (220) while a limit order with that clientOrderId is open; accepted once it is cancelled or filled', async () => {
    const clientOrderId = randomUUID();
    const limit = {
      market: 'BTC-EUR',
      side: 'buy',
      orderType: 'limit',
      clientOrderId,
      amount: '0.01',
      price: '50000',
    } as const;
    value(await h.client.placeOrder(limit));
    expect(await h.client.placeOrder(limit)).toMatchObject({
      ok: false,
      errorClass: 'ALREADY_EXISTS',
      errorCode: 220,
    });
    // Another market does not conflict.
    value(await h.client.placeOrder({ ...limit, market: 'ETH-EUR', price: '2000' }));
    value(await h.client.cancelOrder('BTC-EUR', { clientOrderId }));
    const second = value(await h.client.placeOrder(limit));
    expect(second.status).toBe('new');
    await h.control.price('BTC-EUR', '49000');
    // Below the new price, so it rests rather than filling at once.
    const third = value(await h.client.placeOrder({ ...limit, price: '48000' }));
    expect(third.orderId).not.toBe(second.orderId);
    const btc = (await h.control.orders()).filter((o) => o.market === 'BTC-EUR');
    expect(btc.map((o) => o.status)).toEqual(['canceled', 'filled', 'new']);
  });

  it("accepts a re-send of a FILLED market order's clientOrderId: a second order (why the ledger never re-sends without evidence)", async () => {
    const clientOrderId = randomUUID();
    const request = {
      market: 'BTC-EUR',
      side: 'buy',
      orderType: 'market',
      clientOrderId,
      amount: '0.01',
    } as const;
    const first = value(await h.client.placeOrder(request));
    const second = value(await h.client.placeOrder(request));
    expect(second.orderId).not.toBe(first.orderId);
    const orders = await h.control.orders();
    expect(orders.filter((o) => o.clientOrderId === clientOrderId)).toHaveLength(2);
    expect(value(await h.client.getBalance('BTC'))[0]?.available).toBe('0.52');
  });

  it('reports latency per endpoint and the rate-limit budget through hooks', async () => {
    await h.client.getTickerPrice('BTC-EUR');
    await h.client.getBalance();
    expect(events.map((e) => `${e.method} ${e.endpoint} ${e.outcome}`)).toEqual(
      expect.arrayContaining(['GET /ticker/price ACKNOWLEDGED', 'GET /balance ACKNOWLEDGED']),
    );
    for (const event of events) expect(event.durationMs).toBeGreaterThanOrEqual(0);
    expect(h.client.rateLimitRemaining()).toBeLessThan(1000);
    expect(h.client.rateLimitRemaining()).toBeGreaterThan(900);
  });
});
