import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { checkMarketRules, computeOrderNotional, type TradeProposal } from '../../../src/domain/gates';
import { ExactDecimal } from '../../../src/domain/policy';
import type { MarketRules } from '../../../src/domain/ports/exchange';
import { btcRules, EXPIRES_AT } from './gateFixtures';

const TICKER = new ExactDecimal('50000');
const base = { market: 'BTC-EUR', side: 'buy', expiresAt: EXPIRES_AT } as const;
const limit = (amount: string, price: string): TradeProposal => ({
  ...base,
  orderType: 'limit',
  amount,
  price,
});
const byAmount = (amount: string): TradeProposal => ({ ...base, orderType: 'market', amount });
const byQuote = (amountQuote: string): TradeProposal => ({ ...base, orderType: 'market', amountQuote });

function check(proposal: TradeProposal, rules: MarketRules | undefined): string | null {
  return checkMarketRules(proposal, rules, computeOrderNotional(proposal, TICKER));
}

describe('checkMarketRules', () => {
  it.each([
    ['a limit order on the tick', limit('0.001', '50000')],
    ['a market order by amount at the base minimum', byAmount('0.0001')],
    ['a market order by amountQuote at the quote minimum', byQuote('5')],
    ['8 amount decimals', byAmount('0.12345678')],
    ['trailing zeros beyond the decimals', byAmount('0.1234567800')],
    ['2 quote decimals', byQuote('20.55')],
  ])('accepts %s', (_name, proposal) => {
    expect(check(proposal, btcRules)).toBeNull();
  });

  it.each([
    ['unknown rules', byQuote('20'), undefined, /no market rules known/],
    ['rules of another market', byQuote('20'), { ...btcRules, market: 'ETH-EUR' }, /are for ETH-EUR/],
    ['a halted market', byQuote('20'), { ...btcRules, status: 'halted' }, /not trading \(status halted\)/],
    ['an auction', byQuote('20'), { ...btcRules, status: 'auction' }, /not trading/],
    [
      'an order type not offered',
      limit('0.001', '50000'),
      { ...btcRules, orderTypes: ['market'] },
      /does not take limit/,
    ],
    ['9 amount decimals', byAmount('0.123456789'), btcRules, /more than 8 decimals/],
    ['an amount below the base minimum', byAmount('0.00009'), btcRules, /below the minimum of 0.0001 BTC/],
    ['an amount above the base maximum', byAmount('1000.1'), btcRules, /above the maximum of 1000 BTC/],
    ['3 quote decimals', byQuote('20.555'), btcRules, /amountQuote 20.555 has more than 2 decimals/],
    ['an amountQuote below the quote minimum', byQuote('4.99'), btcRules, /below the minimum of 5 EUR/],
    [
      'an amountQuote above the quote maximum',
      byQuote('1000000.01'),
      btcRules,
      /above the maximum of 1000000 EUR/,
    ],
    ['a price off the tick', limit('0.001', '50000.5'), btcRules, /not a multiple of the tick size 1/],
    [
      'a price with too many significant digits',
      limit('0.001', '123456'),
      btcRules,
      /more than 5 significant digits/,
    ],
    [
      'a limit value below the quote minimum',
      limit('0.0001', '40000'),
      btcRules,
      /order value 4 EUR is below/,
    ],
  ] as const)('refuses %s', (_name, proposal, rules, reason) => {
    expect(check(proposal, rules)).toMatch(reason);
  });

  it('a fractional tick size works exactly (no float drift)', () => {
    const eth = { ...btcRules, tickSize: '0.01', pricePrecision: 0 };
    expect(check(limit('0.01', '2999.99'), eth)).toBeNull();
    expect(check(limit('0.01', '2999.995'), eth)).toMatch(/tick size/);
  });

  it('a market order by amount is not held to the quote bounds (its value is only an estimate)', () => {
    // 0.00009 BTC would be €4.50 at the ticker, under the €5 minimum, but the base minimum is what binds.
    expect(check(byAmount('0.0001'), { ...btcRules, minOrderInQuoteAsset: '1000' })).toBeNull();
  });

  it('a zero maximum means no maximum', () => {
    expect(check(byQuote('5000000'), { ...btcRules, maxOrderInQuoteAsset: '0' })).toBeNull();
  });

  it('computes the order size with exact decimals', () => {
    const n = computeOrderNotional(byQuote('20'), new ExactDecimal('3'));
    expect(n.baseAmount.mul(3).toDecimalPlaces(30).eq(20)).toBe(true);
    expect(computeOrderNotional(limit('0.1', '0.2'), TICKER).notionalEur.eq(new Decimal('0.02'))).toBe(true);
  });
});
