import { initialTradingControlState, type TradingControlState } from '../../../src/domain/control';
import type { GateInput, TradeProposal } from '../../../src/domain/gates';
import type { UserPolicyEvent, UserPolicyState } from '../../../src/domain/policy';
import type { MarketRules } from '../../../src/domain/ports/exchange';
import { foldEvents, policyEvents, promotedTo } from '../policy/userPolicyFixtures';

export const NOW_MS = Date.parse('2025-03-01T10:00:00.000Z');
export const EXPIRES_AT = '2025-03-01T10:01:00.000Z';

export const btcRules: MarketRules = {
  market: 'BTC-EUR',
  status: 'trading',
  base: 'BTC',
  quote: 'EUR',
  pricePrecision: 5,
  quantityDecimals: 8,
  notionalDecimals: 2,
  tickSize: '1',
  minOrderInBaseAsset: '0.0001',
  minOrderInQuoteAsset: '5',
  maxOrderInBaseAsset: '1000',
  maxOrderInQuoteAsset: '1000000',
  orderTypes: ['market', 'limit'],
};

export const marketBuy = (amountQuote: string): TradeProposal => ({
  market: 'BTC-EUR',
  side: 'buy',
  orderType: 'market',
  amountQuote,
  expiresAt: EXPIRES_AT,
});

export function enabledPolicy(extra: readonly UserPolicyEvent[] = []): UserPolicyState {
  return foldEvents([policyEvents.tradingEnabled(), ...extra]);
}

export function policyAt(level: 'TRAINING' | 'VALIDATED' | 'PRODUCTION' | 'MATURE', overrideEur?: string) {
  return enabledPolicy([
    ...promotedTo(level),
    ...(overrideEur === undefined ? [] : [policyEvents.overrideSet(overrideEur)]),
  ]);
}

export const openControl: TradingControlState = initialTradingControlState();

/** Every gate passes: a TRAINING user buying €20 of BTC with €1000 available. */
export function passingInput(overrides: Partial<GateInput> = {}): GateInput {
  return {
    proposal: marketBuy('20.00'),
    nowMs: NOW_MS,
    control: openControl,
    policy: enabledPolicy(),
    balances: { EUR: '1000', BTC: '0.5' },
    price: '50000',
    marketRules: btcRules,
    ...overrides,
  };
}
