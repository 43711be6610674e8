import { Decimal } from 'decimal.js';
import { SIM_MAKER_FEE_RATE, SIM_TAKER_FEE_RATE } from './simulatorDefaults';
import type { ValidOrderBody } from './validateOrderBody';

/**
 * Base amount, quote value and fee of filling an order completely at `price`. The fee is charged in
 * the quote currency and rounded up to the market's notional decimals, as exchanges do.
 */
export function fillTerms(
  body: Pick<ValidOrderBody, 'market' | 'side' | 'amount' | 'amountQuote'>,
  price: Decimal,
  taker: boolean,
): { base: Decimal; quote: Decimal; fee: Decimal } {
  const { market } = body;
  const rate = new Decimal(taker ? SIM_TAKER_FEE_RATE : SIM_MAKER_FEE_RATE);
  let base = body.amount;
  if (base === undefined) {
    // amountQuote is what the trader spends (buy, fee included) or wants to receive (sell).
    const divisor = body.side === 'buy' ? price.mul(rate.plus(1)) : price;
    base = (body.amountQuote ?? new Decimal(0))
      .div(divisor)
      .toDecimalPlaces(market.quantityDecimals, Decimal.ROUND_DOWN);
  }
  const quote = base.mul(price);
  const fee = quote.mul(rate).toDecimalPlaces(market.notionalDecimals, Decimal.ROUND_UP);
  return { base, quote, fee };
}
