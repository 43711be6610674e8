import { describe, expect, it } from 'vitest';
import { validateProposal } from '../../../src/domain/gates';
import { EXPIRES_AT } from './gateFixtures';

const market = { market: 'BTC-EUR', side: 'buy', orderType: 'market', expiresAt: EXPIRES_AT };
const limit = { market: 'BTC-EUR', side: 'sell', orderType: 'limit', expiresAt: EXPIRES_AT };

describe('validateProposal', () => {
  it.each([
    ['market by amount', { ...market, amount: '0.001' }],
    ['market by amountQuote', { ...market, amountQuote: '20.00' }],
    ['limit', { ...limit, amount: '0.001', price: '50000' }],
  ])('accepts a %s order and keeps only proposal fields', (_name, input) => {
    const result = validateProposal({ ...input, clientOrderId: 'ignored', userId: 'ignored' });
    expect(result).toEqual({ ok: true, proposal: input });
  });

  it.each([
    ['not an object', 'BTC-EUR', 'INVALID_PROPOSAL'],
    ['an unknown side', { ...market, side: 'short', amount: '1' }, 'INVALID_PROPOSAL'],
    ['an unknown order type', { ...market, orderType: 'stopLoss', amount: '1' }, 'INVALID_PROPOSAL'],
    ['a numeric amount', { ...market, amount: 1 }, 'INVALID_PROPOSAL'],
    ['no expiry', { market: 'BTC-EUR', side: 'buy', orderType: 'market', amount: '1' }, 'INVALID_PROPOSAL'],
    ['a lowercase market', { ...market, market: 'btc-eur', amount: '1' }, 'INVALID_MARKET'],
    ['a market without quote', { ...market, market: 'BTC', amount: '1' }, 'INVALID_MARKET'],
    ['a zero amount', { ...market, amount: '0' }, 'INVALID_DECIMAL'],
    ['a negative amount', { ...market, amount: '-1' }, 'INVALID_DECIMAL'],
    ['an exponent', { ...market, amountQuote: '1e2' }, 'INVALID_DECIMAL'],
    ['a comma', { ...market, amountQuote: '1,5' }, 'INVALID_DECIMAL'],
    ['a leading zero', { ...market, amountQuote: '020' }, 'INVALID_DECIMAL'],
    ['an over-long decimal', { ...market, amount: `0.${'1'.repeat(40)}` }, 'INVALID_DECIMAL'],
    ['a zero price', { ...limit, amount: '1', price: '0.0' }, 'INVALID_DECIMAL'],
    [
      'a market order with both amounts',
      { ...market, amount: '1', amountQuote: '20' },
      'MARKET_ORDER_AMOUNT',
    ],
    ['a market order with neither amount', market, 'MARKET_ORDER_AMOUNT'],
    ['a market order with a price', { ...market, amount: '1', price: '50000' }, 'MARKET_ORDER_PRICE'],
    ['a limit order without price', { ...limit, amount: '1' }, 'LIMIT_ORDER_FIELDS'],
    ['a limit order without amount', { ...limit, price: '50000' }, 'LIMIT_ORDER_FIELDS'],
    [
      'a limit order with amountQuote',
      { ...limit, amount: '1', price: '50000', amountQuote: '20' },
      'LIMIT_ORDER_FIELDS',
    ],
    ['a date without time', { ...market, amount: '1', expiresAt: '2025-03-01' }, 'INVALID_EXPIRES_AT'],
    [
      'a time with an offset',
      { ...market, amount: '1', expiresAt: '2025-03-01T11:00:00+01:00' },
      'INVALID_EXPIRES_AT',
    ],
    ['a non-date', { ...market, amount: '1', expiresAt: 'soon' }, 'INVALID_EXPIRES_AT'],
  ])('refuses %s with %s', (_name, input, code) => {
    const result = validateProposal(input);
    expect(result).toMatchObject({ ok: false, code });
    if (!result.ok) expect(result.reason.length).toBeGreaterThan(0);
  });
});
