import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PriceDrift } from '../../../../src/adapters/exchange/simulator/PriceDrift';
import { SimFaults } from '../../../../src/adapters/exchange/simulator/SimFaults';
import { SimulatedExchange } from '../../../../src/adapters/exchange/simulator/SimulatedExchange';
import { isSimError } from '../../../../src/adapters/exchange/simulator/simError';
import { isOpen } from '../../../../src/adapters/exchange/simulator/simOrder';
import {
  DEFAULT_SIM_BALANCES,
  DEFAULT_SIM_MARKETS,
} from '../../../../src/adapters/exchange/simulator/simulatorDefaults';
import { validateOrderBody } from '../../../../src/adapters/exchange/simulator/validateOrderBody';

const T0 = 1_700_000_000_000;
const newExchange = (seed = 1) =>
  new SimulatedExchange({ markets: DEFAULT_SIM_MARKETS, balances: DEFAULT_SIM_BALANCES, seed });

function place(exchange: SimulatedExchange, body: Record<string, unknown>, nowMs = T0) {
  const valid = validateOrderBody({ operatorId: 1, ...body }, exchange.markets);
  if (isSimError(valid)) return valid;
  return exchange.placeOrder(valid, nowMs);
}

function holdings(exchange: SimulatedExchange): Map<string, { available: Decimal; inOrder: Decimal }> {
  return new Map(
    ['EUR', 'BTC', 'ETH', 'SOL'].map((symbol) => {
      const [entry] = exchange.balanceList(symbol);
      return [
        symbol,
        { available: new Decimal(entry?.available ?? 0), inOrder: new Decimal(entry?.inOrder ?? 0) },
      ];
    }),
  );
}

const operation = fc.oneof(
  fc.record({
    op: fc.constant('market' as const),
    market: fc.constantFrom('BTC-EUR', 'ETH-EUR'),
    side: fc.constantFrom('buy', 'sell'),
    amount: fc.constantFrom('0.001', '0.01', '0.1', '0.5', '2'),
  }),
  fc.record({
    op: fc.constant('quote' as const),
    market: fc.constantFrom('BTC-EUR', 'ETH-EUR'),
    side: fc.constantFrom('buy', 'sell'),
    amountQuote: fc.constantFrom('10', '99.99', '1000', '20000'),
  }),
  fc.record({
    op: fc.constant('limit' as const),
    market: fc.constantFrom('BTC-EUR', 'ETH-EUR'),
    side: fc.constantFrom('buy', 'sell'),
    amount: fc.constantFrom('0.01', '0.1', '1'),
    offsetPct: fc.integer({ min: -5, max: 5 }),
  }),
  fc.record({ op: fc.constant('cancel' as const), pick: fc.nat() }),
  fc.record({
    op: fc.constant('price' as const),
    market: fc.constantFrom('BTC-EUR', 'ETH-EUR'),
    movePct: fc.integer({ min: -8, max: 8 }),
  }),
);

describe('SimulatedExchange books', () => {
  it('keeps every balance non-negative, holds equal to open orders, and money conserved through fills (property)', () => {
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 40 }), (operations) => {
        const exchange = newExchange();
        let nowMs = T0;
        for (const step of operations) {
          nowMs += 1;
          if (step.op === 'market')
            place(
              exchange,
              { market: step.market, side: step.side, orderType: 'market', amount: step.amount },
              nowMs,
            );
          if (step.op === 'quote') {
            place(
              exchange,
              { market: step.market, side: step.side, orderType: 'market', amountQuote: step.amountQuote },
              nowMs,
            );
          }
          if (step.op === 'limit') {
            const config = exchange.markets.get(step.market);
            const current = exchange.price(step.market) ?? new Decimal(1);
            const tick = new Decimal(config?.tickSize ?? '1');
            const price = current
              .mul(1 + step.offsetPct / 100)
              .div(tick)
              .floor()
              .mul(tick);
            place(
              exchange,
              {
                market: step.market,
                side: step.side,
                orderType: 'limit',
                amount: step.amount,
                price: price.toFixed(),
              },
              nowMs,
            );
          }
          if (step.op === 'cancel') {
            const open = exchange.allOrders().filter(isOpen);
            const target = open[step.pick % Math.max(1, open.length)];
            if (target !== undefined) exchange.cancelOrder(target.market, { orderId: target.orderId }, nowMs);
          }
          if (step.op === 'price') {
            const current = exchange.price(step.market) ?? new Decimal(1);
            exchange.setPrice(step.market, current.mul(1 + step.movePct / 100).floor(), nowMs);
          }
        }
        const after = holdings(exchange);
        const expected = new Map(Object.entries(DEFAULT_SIM_BALANCES).map(([s, v]) => [s, new Decimal(v)]));
        const expectedInOrder = new Map<string, Decimal>();
        for (const order of exchange.allOrders()) {
          const [base = '', quote = ''] = order.market.split('-');
          for (const fill of order.fills) {
            const value = fill.amount.mul(fill.price);
            const sign = order.side === 'buy' ? 1 : -1;
            expected.set(base, (expected.get(base) ?? new Decimal(0)).plus(fill.amount.mul(sign)));
            expected.set(
              quote,
              (expected.get(quote) ?? new Decimal(0)).minus(value.mul(sign)).minus(fill.fee),
            );
          }
          if (isOpen(order)) {
            expectedInOrder.set(
              order.onHoldCurrency,
              (expectedInOrder.get(order.onHoldCurrency) ?? new Decimal(0)).plus(order.onHold),
            );
          }
        }
        for (const [symbol, holding] of after) {
          expect(holding.available.gte(0), `${symbol} available`).toBe(true);
          expect(holding.inOrder.toFixed(), `${symbol} inOrder`).toBe(
            (expectedInOrder.get(symbol) ?? new Decimal(0)).toFixed(),
          );
          expect(holding.available.plus(holding.inOrder).toFixed(), `${symbol} total`).toBe(
            (expected.get(symbol) ?? new Decimal(0)).toFixed(),
          );
        }
      }),
      { numRuns: 150 },
    );
  });

  it('gives the same order ids for the same seed', () => {
    const ids = (seed: number) => {
      const exchange = newExchange(seed);
      return [1, 2, 3].map((i) => {
        const placed = place(
          exchange,
          { market: 'BTC-EUR', side: 'buy', orderType: 'market', amount: '0.001' },
          T0 + i,
        );
        return isSimError(placed) ? 'error' : placed.orderId;
      });
    };
    expect(ids(5)).toEqual(ids(5));
    expect(ids(5)).not.toEqual(ids(6));
  });

  it('finds orders through its indexes: newest of a reused clientOrderId, none once forgotten', () => {
    const exchange = new SimulatedExchange({
      markets: DEFAULT_SIM_MARKETS,
      balances: DEFAULT_SIM_BALANCES,
      seed: 3,
      maxStoredOrders: 3,
    });
    const reused = '5b0e6a44-9a51-4c3c-8d7e-0c3f1b2a9e01';
    const buy = { market: 'BTC-EUR', side: 'buy', orderType: 'market', amount: '0.001' };
    const first = place(exchange, { ...buy, clientOrderId: reused }, T0);
    const second = place(exchange, { ...buy, clientOrderId: reused }, T0 + 1);
    if (isSimError(first) || isSimError(second)) throw new Error('placing failed');
    expect(exchange.findOrder('BTC-EUR', { clientOrderId: reused })).toBe(second);
    expect(exchange.findOrder('ETH-EUR', { clientOrderId: reused })).toBeUndefined();
    expect(exchange.findOrder('BTC-EUR', { orderId: first.orderId })).toBe(first);

    const resting = place(exchange, { ...buy, orderType: 'limit', amount: '0.1', price: '1000' }, T0 + 2);
    if (isSimError(resting)) throw new Error('placing failed');
    expect(exchange.openOrders('BTC-EUR')).toEqual([resting]);
    // A fourth order makes it forget the oldest closed one (the first), never an open one.
    place(exchange, buy, T0 + 3);
    expect(exchange.findOrder('BTC-EUR', { orderId: first.orderId })).toBeUndefined();
    expect(exchange.findOrder('BTC-EUR', { clientOrderId: reused })).toBe(second);
    expect(exchange.allOrders()).toHaveLength(3);
    expect(exchange.openOrders(undefined)).toEqual([resting]);
    expect(exchange.cancelOrder('BTC-EUR', { orderId: resting.orderId }, T0 + 4)).toBe(resting);
    expect(exchange.openOrders('BTC-EUR')).toEqual([]);
  });
});

describe('PriceDrift', () => {
  it('walks gently, on the tick size, the same way for the same seed', () => {
    const walk = (seed: number) => {
      const exchange = newExchange();
      const drift = new PriceDrift(exchange, seed, 1_000, () => T0);
      return Array.from({ length: 50 }, () => {
        drift.step();
        return exchange.price('BTC-EUR')?.toFixed() ?? '';
      });
    };
    const prices = walk(9);
    expect(walk(9)).toEqual(prices);
    expect(walk(10)).not.toEqual(prices);
    let previous = new Decimal(60_000);
    for (const price of prices) {
      const current = new Decimal(price);
      expect(current.mod(1).isZero()).toBe(true);
      expect(current.minus(previous).abs().div(previous).toNumber()).toBeLessThanOrEqual(0.0016);
      previous = current;
    }
  });
});

describe('SimFaults', () => {
  it('serves queued faults first, in order, for matching requests only, each `count` times', () => {
    const faults = new SimFaults(1, 0);
    faults.enqueue([
      { kind: 'delay', ms: 5, count: 2 },
      { kind: 'timeout', method: 'get', path: '/balance' },
    ]);
    expect(faults.take('GET', '/v2/order')).toBeUndefined();
    expect(faults.take('GET', '/v2/balance')?.kind).toBe('timeout');
    expect(faults.take('POST', '/v2/order')).toEqual({ kind: 'delay', ms: 5, status: 500, errorCode: 101 });
    expect(faults.take('POST', '/v2/order')?.kind).toBe('delay');
    expect(faults.take('POST', '/v2/order')).toBeUndefined();
  });

  it('defaults: error_before_commit 503 / 107, error_after_commit 500 / 101', () => {
    const faults = new SimFaults(1, 0);
    faults.enqueue([{ kind: 'error_before_commit' }, { kind: 'error_after_commit' }]);
    expect(faults.take('POST', '/v2/order')).toMatchObject({ status: 503, errorCode: 107 });
    expect(faults.take('POST', '/v2/order')).toMatchObject({ status: 500, errorCode: 101 });
  });

  it('draws random faults of every kind at about the given rate, reproducibly for the seed', () => {
    const draw = (seed: number) => {
      const faults = new SimFaults(seed, 0.3);
      return Array.from({ length: 2_000 }, () => faults.take('GET', '/v2/time')?.kind ?? 'none');
    };
    const kinds = draw(4);
    expect(draw(4)).toEqual(kinds);
    const faulted = kinds.filter((k) => k !== 'none').length;
    expect(faulted).toBeGreaterThan(500);
    expect(faulted).toBeLessThan(700);
    expect(new Set(kinds)).toEqual(
      new Set(['none', 'delay', 'timeout', 'drop_after_commit', 'error_before_commit', 'error_after_commit']),
    );
  });
});
