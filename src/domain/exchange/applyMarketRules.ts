import { Decimal } from 'decimal.js';
import type { MarketRules, PlaceOrderRequest } from '../ports/exchange';

/** Why an order cannot be sent, with the Bitvavo errorCode the exchange itself would answer. */
export interface MarketRuleViolation {
  readonly errorCode: number;
  readonly message: string;
}

export type MarketRulesResult =
  | { readonly ok: true; readonly request: PlaceOrderRequest; readonly adjusted: boolean }
  | { readonly ok: false; readonly violation: MarketRuleViolation };

export interface MarketRulesOptions {
  /**
   * A recent price, to check the notional of a market order given in base amount against
   * `minOrderInQuoteAsset`. Without it that one check is skipped (the exchange still makes it).
   */
  readonly referencePrice?: string;
}

const DECIMAL_PATTERN = /^\d+(\.\d+)?$/;

function parsePositive(value: string, field: string): Decimal | MarketRuleViolation {
  if (!DECIMAL_PATTERN.test(value))
    return { errorCode: 205, message: `${field} must be a plain decimal string` };
  const parsed = new Decimal(value);
  if (parsed.lte(0)) return { errorCode: 205, message: `${field} must be greater than zero` };
  return parsed;
}

function isViolation(value: Decimal | MarketRuleViolation): value is MarketRuleViolation {
  return !(value instanceof Decimal);
}

const fail = (errorCode: number, message: string): MarketRulesResult => ({
  ok: false,
  violation: { errorCode, message },
});

/**
 * Brings an order into the market's rules before it is sent, or refuses it. Amounts are rounded DOWN
 * to `quantityDecimals` / `notionalDecimals` (never spend or sell more than asked); a limit price that
 * is off the tick size is refused rather than moved, because moving a price changes the trade.
 * Size limits are checked after rounding. Pure.
 */
export function applyMarketRules(
  request: PlaceOrderRequest,
  rules: MarketRules,
  options: MarketRulesOptions = {},
): MarketRulesResult {
  if (request.market !== rules.market)
    return fail(205, `rules are for ${rules.market}, not ${request.market}`);
  if (rules.status !== 'trading') return fail(423, `market ${rules.market} is ${rules.status}`);
  if (!rules.orderTypes.includes(request.orderType)) {
    return fail(205, `orderType ${request.orderType} is not allowed on ${rules.market}`);
  }
  const hasAmount = request.amount !== undefined;
  const hasQuote = request.amountQuote !== undefined;
  if (hasAmount && hasQuote) return fail(236, 'only one of amount and amountQuote is allowed');
  if (!hasAmount && !hasQuote) return fail(203, 'amount or amountQuote is required');

  let adjusted = false;
  let amount: Decimal | undefined;
  let amountQuote: Decimal | undefined;
  let price: Decimal | undefined;

  if (request.orderType === 'limit') {
    if (hasQuote) return fail(202, 'amountQuote is not supported for limit orders');
    if (request.price === undefined) return fail(203, 'price is required for limit orders');
    const parsedPrice = parsePositive(request.price, 'price');
    if (isViolation(parsedPrice)) return { ok: false, violation: parsedPrice };
    const tick = new Decimal(rules.tickSize);
    if (tick.gt(0) && !parsedPrice.mod(tick).isZero()) {
      return fail(422, `price ${request.price} is not a multiple of the tick size ${rules.tickSize}`);
    }
    price = parsedPrice;
  } else if (request.price !== undefined) {
    return fail(202, 'price is not supported for market orders');
  }

  if (request.amount !== undefined) {
    const parsed = parsePositive(request.amount, 'amount');
    if (isViolation(parsed)) return { ok: false, violation: parsed };
    amount = parsed.toDecimalPlaces(rules.quantityDecimals, Decimal.ROUND_DOWN);
    adjusted ||= !amount.eq(parsed);
    if (amount.isZero() || amount.lt(rules.minOrderInBaseAsset)) {
      return fail(212, `amount ${amount.toFixed()} is below the minimum ${rules.minOrderInBaseAsset}`);
    }
    if (amount.gt(rules.maxOrderInBaseAsset)) {
      return fail(210, `amount ${amount.toFixed()} is above the maximum ${rules.maxOrderInBaseAsset}`);
    }
    const notionalPrice =
      price ?? (options.referencePrice === undefined ? undefined : new Decimal(options.referencePrice));
    if (notionalPrice !== undefined && amount.mul(notionalPrice).lt(rules.minOrderInQuoteAsset)) {
      return fail(217, `order value is below the minimum ${rules.minOrderInQuoteAsset} ${rules.quote}`);
    }
  }
  if (request.amountQuote !== undefined) {
    const parsed = parsePositive(request.amountQuote, 'amountQuote');
    if (isViolation(parsed)) return { ok: false, violation: parsed };
    amountQuote = parsed.toDecimalPlaces(rules.notionalDecimals, Decimal.ROUND_DOWN);
    adjusted ||= !amountQuote.eq(parsed);
    if (amountQuote.isZero() || amountQuote.lt(rules.minOrderInQuoteAsset)) {
      return fail(
        217,
        `amountQuote ${amountQuote.toFixed()} is below the minimum ${rules.minOrderInQuoteAsset}`,
      );
    }
    if (amountQuote.gt(rules.maxOrderInQuoteAsset)) {
      return fail(
        210,
        `amountQuote ${amountQuote.toFixed()} is above the maximum ${rules.maxOrderInQuoteAsset}`,
      );
    }
  }

  const result: PlaceOrderRequest = {
    market: request.market,
    side: request.side,
    orderType: request.orderType,
    clientOrderId: request.clientOrderId,
    ...(amount === undefined ? {} : { amount: amount.toFixed() }),
    ...(amountQuote === undefined ? {} : { amountQuote: amountQuote.toFixed() }),
    ...(price === undefined ? {} : { price: price.toFixed() }),
  };
  return { ok: true, request: result, adjusted };
}
