import { z } from 'zod';
import { isoTimestampSchema } from '../policy/auditFields';
import { positiveDecimalStringSchema } from '../policy/decimalString';
import { userIdSchema } from '../policy/userPolicyEvents';
import { marketIdSchema } from '../control/tradingControlEvents';

/*
 * Field schemas shared by the execution events. Decimals, times, the user id and the market reuse the
 * policy and control schemas so that one value is valid in every stream or in none.
 */

/** Bitvavo rejects a clientOrderId that is not a UUID (error 205). */
export const clientOrderIdSchema = z.uuid();

export const marketSchema = marketIdSchema;
export const sideSchema = z.enum(['buy', 'sell']);
export const orderTypeSchema = z.enum(['market', 'limit']);

/** Hex SHA-256 of the canonical request body; the caller hashes `canonicalRequestJson(body)`. */
export const requestHashSchema = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lowercase hex sha256');

export const exchangeOrderIdSchema = z.string().min(1).max(100);
export const messageSchema = z.string().max(2000);
export const httpStatusSchema = z.number().int().min(100).max(599).nullable();
export const errorCodeSchema = z.number().int().min(0).max(1_000_000).nullable();
export const noteSchema = z
  .string()
  .min(1)
  .max(2000)
  .refine((value) => value.trim().length > 0, 'must not be blank');

/** Bitvavo's order status values (see ExchangeOrderStatus in the exchange port). */
export const exchangeOrderStatusSchema = z.enum([
  'new',
  'awaitingTrigger',
  'partiallyFilled',
  'filled',
  'canceled',
  'canceledAuction',
  'canceledSelfTradePrevention',
  'canceledIOC',
  'canceledFOK',
  'canceledMarketProtection',
  'canceledPostOnly',
  'expired',
  'rejected',
]);

/** What the client asked for. Shared by ExecutionSubmitting and ExecutionRejected. */
export const proposalFields = {
  clientOrderId: clientOrderIdSchema,
  userId: userIdSchema,
  market: marketSchema,
  side: sideSchema,
  orderType: orderTypeSchema,
  amount: positiveDecimalStringSchema.nullable(),
  amountQuote: positiveDecimalStringSchema.nullable(),
  price: positiveDecimalStringSchema.nullable(),
  expiresAt: isoTimestampSchema,
};

export interface OrderShape {
  readonly orderType: 'market' | 'limit';
  readonly amount: string | null;
  readonly amountQuote: string | null;
  readonly price: string | null;
}

/**
 * The order shapes Bitvavo accepts: a limit order has amount and price; a market order has exactly
 * one of amount / amountQuote and no price. `null` when the shape is fine, else why not.
 */
export function orderShapeProblem(order: OrderShape): string | null {
  if (order.orderType === 'limit') {
    if (order.amount === null || order.price === null) return 'a limit order needs amount and price';
    if (order.amountQuote !== null) return 'a limit order takes amount, not amountQuote';
    return null;
  }
  if ((order.amount === null) === (order.amountQuote === null)) {
    return 'a market order needs exactly one of amount and amountQuote';
  }
  if (order.price !== null) return 'a market order takes no price';
  return null;
}
