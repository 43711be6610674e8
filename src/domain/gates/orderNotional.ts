import type { Decimal } from 'decimal.js';
import { ExactDecimal, isDecimalString, isPositiveDecimalString } from '../policy/decimalString';
import { InvalidGateInput } from './gateResult';
import type { TradeProposal } from './tradeProposal';

/** The order's size in both assets, as the gates reason about it. */
export interface OrderNotional {
  /** EUR value: amountQuote, or amount × priceUsed. */
  readonly notionalEur: Decimal;
  /** Base amount: the proposal's amount, or amountQuote / ticker (an estimate) for a quote order. */
  readonly baseAmount: Decimal;
  /** The limit price for a limit order, the ticker for a market order. */
  readonly priceUsed: Decimal;
  /** True when the EUR value is what the exchange will check (limit order, or amountQuote). */
  readonly notionalIsExact: boolean;
}

export function parseDecimalInput(value: string, what: string): Decimal {
  if (!isDecimalString(value)) throw new InvalidGateInput(`${what} is not a decimal string`);
  return new ExactDecimal(value);
}

export function parsePositiveInput(value: string, what: string): Decimal {
  if (!isPositiveDecimalString(value)) throw new InvalidGateInput(`${what} is not a positive decimal string`);
  return new ExactDecimal(value);
}

/**
 * Sizes a validated proposal. A market order by amount is valued at the ticker: the fill price may
 * differ, which is why the limit gate is about the intent, not a guarantee of the final cost.
 */
export function computeOrderNotional(proposal: TradeProposal, tickerPrice: Decimal): OrderNotional {
  if (proposal.amountQuote !== undefined) {
    const notionalEur = parsePositiveInput(proposal.amountQuote, 'amountQuote');
    return {
      notionalEur,
      baseAmount: notionalEur.div(tickerPrice),
      priceUsed: tickerPrice,
      notionalIsExact: true,
    };
  }
  if (proposal.amount === undefined)
    throw new InvalidGateInput('proposal has neither amount nor amountQuote');
  const baseAmount = parsePositiveInput(proposal.amount, 'amount');
  if (proposal.orderType === 'limit') {
    if (proposal.price === undefined) throw new InvalidGateInput('limit proposal without price');
    const priceUsed = parsePositiveInput(proposal.price, 'price');
    return { notionalEur: baseAmount.mul(priceUsed), baseAmount, priceUsed, notionalIsExact: true };
  }
  return {
    notionalEur: baseAmount.mul(tickerPrice),
    baseAmount,
    priceUsed: tickerPrice,
    notionalIsExact: false,
  };
}
