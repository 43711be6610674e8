import { Decimal } from 'decimal.js';
import type { TradingControlState } from '../control/tradingControlState';
import { isMarketAllowed } from '../control/tradingControlState';
import { effectiveOrderLimitEur } from '../policy/confidenceLevels';
import { DECIMAL_STRING_MAX_LENGTH, toPlainString } from '../policy/decimalString';
import type { UserPolicyState } from '../policy/userPolicyState';
import type { MarketRules } from '../ports/exchange';
import { checkMarketRules } from './checkMarketRules';
import { InvalidGateInput, type GateCode, type GateResult } from './gateResult';
import { computeOrderNotional, parseDecimalInput, parsePositiveInput } from './orderNotional';
import { validateProposal, type TradeProposal } from './tradeProposal';

export interface GateInput {
  readonly proposal: TradeProposal;
  readonly nowMs: number;
  readonly control: TradingControlState;
  readonly policy: UserPolicyState;
  /** Available (not in order) balance by symbol, e.g. { EUR: "1000.00", BTC: "0.5" }; absent = 0. */
  readonly balances: Readonly<Record<string, string>>;
  /** The market's ticker price. */
  readonly price: string;
  /** The market's rules from GET /markets; `undefined` when unknown (the MARKET_RULES gate refuses). */
  readonly marketRules: MarketRules | undefined;
}

const QUOTE_CURRENCY = 'EUR';
/** Display only: an estimated base amount (amountQuote / ticker) need not terminate. */
const ROUND_UP = Decimal.ROUND_UP;

/**
 * Runs the gates in order (DESIGN §4) and returns the first refusal, or the evidence of a pass.
 * Pure and deterministic. Throws InvalidGateInput for input no validated flow produces (run
 * `validateProposal` first).
 */
export function evaluateGates(input: GateInput): GateResult {
  const { proposal, control, policy } = input;
  const validation = validateProposal(proposal);
  if (!validation.ok) throw new InvalidGateInput(`proposal not validated: ${validation.code}`);
  const ticker = parsePositiveInput(input.price, 'ticker price');
  const [base = '', quote = ''] = proposal.market.split('-');
  const spendSymbol = proposal.side === 'buy' ? quote : base;
  const balanceText = input.balances[spendSymbol] ?? '0';
  const balance = parseDecimalInput(balanceText, `${spendSymbol} balance`);
  const expiresAtMs = Date.parse(proposal.expiresAt);
  if (!Number.isFinite(input.nowMs) || Number.isNaN(expiresAtMs)) throw new InvalidGateInput('invalid time');

  if (control.killSwitch.engaged) {
    return refuse(
      'KILL_SWITCH',
      `the kill switch is engaged: ${control.killSwitch.reason ?? 'no reason recorded'}`,
    );
  }
  if (!policy.tradingEnabled)
    return refuse('USER_TRADING_DISABLED', `trading is disabled for ${policy.userId}`);
  if (quote !== QUOTE_CURRENCY) return refuse('MARKET_NOT_ALLOWED', `${proposal.market} is not a EUR market`);
  if (!isMarketAllowed(control, proposal.market)) {
    return refuse('MARKET_NOT_ALLOWED', `${proposal.market} is not on the market allowlist`);
  }
  if (input.nowMs >= expiresAtMs)
    return refuse('PROPOSAL_EXPIRED', `the proposal expired at ${proposal.expiresAt}`);

  const notional = computeOrderNotional(proposal, ticker);
  const notionalText = toPlainString(notional.notionalEur);
  const limitEur = effectiveOrderLimitEur(policy.confidenceLevel, policy.orderLimitOverrideEur);
  if (limitEur !== null) {
    if (notional.notionalEur.gt(limitEur)) {
      const source =
        policy.orderLimitOverrideEur === null ? `the ${policy.confidenceLevel} limit` : 'the override limit';
      return refuse('ORDER_LIMIT_EXCEEDED', `order of €${notionalText} exceeds ${source} of €${limitEur}`);
    }
  } else {
    // MATURE has no fixed limit: an order may spend at most what the account holds, valued in EUR.
    const capEur = proposal.side === 'buy' ? balance : balance.mul(notional.priceUsed);
    if (notional.notionalEur.gt(capEur)) {
      return refuse(
        'ORDER_LIMIT_EXCEEDED',
        `order of €${notionalText} exceeds the MATURE cap of the available balance (€${toPlainString(capEur)})`,
      );
    }
  }

  const needed: Decimal = proposal.side === 'buy' ? notional.notionalEur : notional.baseAmount;
  if (balance.lt(needed)) {
    return refuse(
      'INSUFFICIENT_BALANCE',
      `${proposal.side} needs ${toPlainString(needed.toDecimalPlaces(12, ROUND_UP))} ${spendSymbol}, available ${balanceText}`,
    );
  }

  const rulesProblem = checkMarketRules(proposal, input.marketRules, notional);
  if (rulesProblem !== null) return refuse('MARKET_RULES', rulesProblem);

  return {
    ok: true,
    evidence: {
      confidenceLevel: policy.confidenceLevel,
      limitEur,
      balanceSeen: toPlainString(balance),
      balanceCurrency: spendSymbol,
      priceSeen: toPlainString(ticker),
      notionalEur: evidenceDecimal(notional.notionalEur),
    },
  };
}

/** Evidence fields are decimal strings of at most DECIMAL_STRING_MAX_LENGTH characters. */
function evidenceDecimal(value: Decimal): string {
  const exact = toPlainString(value);
  return exact.length <= DECIMAL_STRING_MAX_LENGTH
    ? exact
    : toPlainString(value.toDecimalPlaces(8, ROUND_UP));
}

function refuse(code: GateCode, reason: string): GateResult {
  return { ok: false, code, reason };
}
