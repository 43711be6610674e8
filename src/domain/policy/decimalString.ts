import { Decimal } from 'decimal.js';
import { z } from 'zod';

/**
 * Decimals travel as plain strings: digits, an optional fraction, no sign, no exponent, no leading
 * zeros. The length cap keeps every product of two such numbers exact in `ExactDecimal` below.
 */
export const DECIMAL_STRING_MAX_LENGTH = 32;
const DECIMAL_PATTERN = /^(0|[1-9][0-9]*)(\.[0-9]+)?$/;

export function isDecimalString(value: string): boolean {
  return value.length <= DECIMAL_STRING_MAX_LENGTH && DECIMAL_PATTERN.test(value);
}

export function isPositiveDecimalString(value: string): boolean {
  return isDecimalString(value) && new Decimal(value).gt(0);
}

export const decimalStringSchema = z
  .string()
  .refine(isDecimalString, { message: 'must be a non-negative decimal string such as "12.50"' });

export const positiveDecimalStringSchema = z
  .string()
  .refine(isPositiveDecimalString, { message: 'must be a positive decimal string such as "12.50"' });

/**
 * Two 32-character decimals multiply to at most 64 significant digits, so with this precision
 * products, sums and the comparisons that follow them are exact; the default (20 digits) could round
 * €25.000…01 down to €25 and let it through a gate.
 */
export const ExactDecimal = Decimal.clone({ precision: 80, rounding: Decimal.ROUND_HALF_EVEN });

/** A decimal as a plain string (never exponent notation, which `toString()` uses for tiny values). */
export function toPlainString(value: Decimal): string {
  return value.toFixed();
}

/** A positive EUR amount in whole cents at most ("10", "10.5", "10.50"). */
export const positiveEurAmountSchema = positiveDecimalStringSchema.refine(
  (value) => /^\d+(\.\d{1,2})?$/.test(value),
  {
    message: 'must have at most 2 decimal places',
  },
);

export function isPositiveEurAmount(value: string): boolean {
  return positiveEurAmountSchema.safeParse(value).success;
}
