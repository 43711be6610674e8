import type { Decimal } from 'decimal.js';
import type { MarketRules } from '../ports/exchange';
import { toPlainString } from '../policy/decimalString';
import type { OrderNotional } from './orderNotional';
import { parseDecimalInput, parsePositiveInput } from './orderNotional';
import type { TradeProposal } from './tradeProposal';

/**
 * The exchange's own rules for a market (GET /markets), checked before sending so that an order the
 * exchange would refuse is rejected here with a readable reason. Returns the first broken rule, or
 * `null` when the order fits. A maximum, tick size or precision of zero means "no such rule".
 */
export function checkMarketRules(
  proposal: TradeProposal,
  rules: MarketRules | undefined,
  notional: OrderNotional,
): string | null {
  if (rules === undefined) return `no market rules known for ${proposal.market}`;
  if (rules.market !== proposal.market) return `market rules are for ${rules.market}, not ${proposal.market}`;
  if (rules.status !== 'trading') return `${rules.market} is not trading (status ${rules.status})`;
  if (!rules.orderTypes.includes(proposal.orderType)) {
    return `${rules.market} does not take ${proposal.orderType} orders`;
  }

  if (proposal.amount !== undefined) {
    const amount = parsePositiveInput(proposal.amount, 'amount');
    if (amount.decimalPlaces() > rules.quantityDecimals) {
      return `amount ${proposal.amount} has more than ${rules.quantityDecimals} decimals`;
    }
    const sizeProblem = outsideBounds(
      amount,
      rules.minOrderInBaseAsset,
      rules.maxOrderInBaseAsset,
      rules.base,
    );
    if (sizeProblem !== null) return `amount ${sizeProblem}`;
  }

  if (proposal.amountQuote !== undefined) {
    const amountQuote = parsePositiveInput(proposal.amountQuote, 'amountQuote');
    if (amountQuote.decimalPlaces() > rules.notionalDecimals) {
      return `amountQuote ${proposal.amountQuote} has more than ${rules.notionalDecimals} decimals`;
    }
  }

  if (proposal.price !== undefined) {
    const price = parsePositiveInput(proposal.price, 'price');
    const tickSize = parseDecimalInput(rules.tickSize, 'tickSize');
    if (tickSize.gt(0) && !price.mod(tickSize).isZero()) {
      return `price ${proposal.price} is not a multiple of the tick size ${rules.tickSize}`;
    }
    if (rules.pricePrecision > 0 && price.precision() > rules.pricePrecision) {
      return `price ${proposal.price} has more than ${rules.pricePrecision} significant digits`;
    }
  }

  // The quote size only binds when it is known up front; a market order by amount is checked in base.
  if (notional.notionalIsExact) {
    const quoteProblem = outsideBounds(
      notional.notionalEur,
      rules.minOrderInQuoteAsset,
      rules.maxOrderInQuoteAsset,
      rules.quote,
    );
    if (quoteProblem !== null) return `order value ${quoteProblem}`;
  }
  return null;
}

function outsideBounds(value: Decimal, minText: string, maxText: string, unit: string): string | null {
  const min = parseDecimalInput(minText, 'minimum order size');
  const max = parseDecimalInput(maxText, 'maximum order size');
  if (value.lt(min)) return `${toPlainString(value)} ${unit} is below the minimum of ${minText} ${unit}`;
  if (max.gt(0) && value.gt(max))
    return `${toPlainString(value)} ${unit} is above the maximum of ${maxText} ${unit}`;
  return null;
}
