import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyMarketRules } from '../../../src/domain/exchange/applyMarketRules';
import type { MarketRules, PlaceOrderRequest } from '../../../src/domain/ports/exchange';

const BTC_EUR: MarketRules = {
  market: 'BTC-EUR',
  status: 'trading',
  base: 'BTC',
  quote: 'EUR',
  pricePrecision: 5,
  quantityDecimals: 8,
  notionalDecimals: 2,
  tickSize: '1',
  minOrderInBaseAsset: '0.00001',
  minOrderInQuoteAsset: '5',
  maxOrderInBaseAsset: '1000',
  maxOrderInQuoteAsset: '1000000',
  orderTypes: ['market', 'limit'],
};

const base: PlaceOrderRequest = {
  market: 'BTC-EUR',
  side: 'buy',
  orderType: 'market',
  clientOrderId: '6f1c2a4e-8a4b-4c8e-9d8e-2f3b4c5d6e7f',
};

function violationCode(
  request: PlaceOrderRequest,
  rules: MarketRules = BTC_EUR,
  referencePrice?: string,
): number {
  const result = applyMarketRules(request, rules, referencePrice === undefined ? {} : { referencePrice });
  if (result.ok) throw new Error('expected a violation');
  return result.violation.errorCode;
}

describe('applyMarketRules', () => {
  it('rounds a base amount DOWN to quantityDecimals and says so', () => {
    const result = applyMarketRules({ ...base, amount: '0.123456789' }, BTC_EUR);
    expect(result).toMatchObject({ ok: true, adjusted: true, request: { amount: '0.12345678' } });
  });

  it('rounds a quote amount DOWN to notionalDecimals', () => {
    const result = applyMarketRules({ ...base, amountQuote: '25.999' }, BTC_EUR);
    expect(result).toMatchObject({ ok: true, adjusted: true, request: { amountQuote: '25.99' } });
  });

  it('leaves a conforming order as it is', () => {
    const request: PlaceOrderRequest = { ...base, orderType: 'limit', amount: '0.001', price: '59000' };
    expect(applyMarketRules(request, BTC_EUR)).toEqual({ ok: true, adjusted: false, request });
  });

  it('refuses a limit price off the tick size (422) rather than moving it', () => {
    expect(violationCode({ ...base, orderType: 'limit', amount: '0.001', price: '59000.5' })).toBe(422);
  });

  it('checks the minimum AFTER rounding (212)', () => {
    expect(violationCode({ ...base, amount: '0.000009999' })).toBe(212);
  });

  it('refuses a base amount above the maximum (210)', () => {
    expect(violationCode({ ...base, amount: '1000.1' })).toBe(210);
  });

  it('refuses a quote amount below the minimum (217) and above the maximum (210)', () => {
    expect(violationCode({ ...base, amountQuote: '4.999' })).toBe(217);
    expect(violationCode({ ...base, amountQuote: '1000000.01' })).toBe(210);
  });

  it('checks the notional of a limit order against minOrderInQuoteAsset (217)', () => {
    expect(violationCode({ ...base, orderType: 'limit', amount: '0.00005', price: '60000' })).toBe(217);
  });

  it('checks the notional of a market order only with a reference price', () => {
    expect(applyMarketRules({ ...base, amount: '0.00005' }, BTC_EUR).ok).toBe(true);
    expect(violationCode({ ...base, amount: '0.00005' }, BTC_EUR, '60000')).toBe(217);
  });

  it('refuses both or neither of amount and amountQuote (236 / 203)', () => {
    expect(violationCode({ ...base, amount: '0.001', amountQuote: '10' })).toBe(236);
    expect(violationCode(base)).toBe(203);
  });

  it('refuses a price on a market order and amountQuote on a limit order (202)', () => {
    expect(violationCode({ ...base, amount: '0.001', price: '60000' })).toBe(202);
    expect(violationCode({ ...base, orderType: 'limit', amountQuote: '10', price: '60000' })).toBe(202);
  });

  it('refuses a limit order without a price (203)', () => {
    expect(violationCode({ ...base, orderType: 'limit', amount: '0.001' })).toBe(203);
  });

  it('refuses malformed and non-positive numbers (205)', () => {
    for (const amount of ['1e-3', '-1', '0', 'abc', '0.1.2', ' 1']) {
      expect(violationCode({ ...base, amount })).toBe(205);
    }
  });

  it('refuses a market that is not trading (423), an order type it does not take, and other markets', () => {
    expect(violationCode({ ...base, amount: '0.001' }, { ...BTC_EUR, status: 'halted' })).toBe(423);
    expect(violationCode({ ...base, amount: '0.001' }, { ...BTC_EUR, orderTypes: ['limit'] })).toBe(205);
    expect(violationCode({ ...base, market: 'ETH-EUR', amount: '0.001' })).toBe(205);
  });

  it('never rounds up and never exceeds quantityDecimals (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 ** 9 }),
        fc.integer({ min: 0, max: 12 }),
        fc.integer({ min: 0, max: 10 }),
        (units, scale, quantityDecimals) => {
          const amount = new Decimal(units).div(new Decimal(10).pow(scale)).toFixed();
          const rules = {
            ...BTC_EUR,
            quantityDecimals,
            minOrderInBaseAsset: '0',
            maxOrderInBaseAsset: '1000000000',
          };
          const result = applyMarketRules({ ...base, amount }, rules);
          if (!result.ok) return result.violation.errorCode === 212 || result.violation.errorCode === 205;
          const sent = new Decimal(result.request.amount ?? '0');
          return (
            sent.lte(amount) &&
            sent.decimalPlaces() <= quantityDecimals &&
            new Decimal(amount).minus(sent).lt(new Decimal(10).pow(-quantityDecimals))
          );
        },
      ),
    );
  });
});
