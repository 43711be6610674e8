import { z } from 'zod';
import type { OrderType, Side } from '../ports/exchange';
import { isValidIsoTimestamp } from '../policy/auditFields';
import { isPositiveDecimalString } from '../policy/decimalString';
import { marketIdSchema } from '../control/tradingControlEvents';

/** What a trader asks for; `validateProposal` makes sure it is well-formed before any gate runs. */
export interface TradeProposal {
  readonly market: string;
  readonly side: Side;
  readonly orderType: OrderType;
  /** Base amount. Market orders: exactly one of amount / amountQuote. Limit orders: required. */
  readonly amount?: string | undefined;
  /** Quote (EUR) amount; market orders only. */
  readonly amountQuote?: string | undefined;
  /** Limit price; limit orders only. */
  readonly price?: string | undefined;
  /** UTC ISO-8601 with `Z`; the proposal must not be acted on at or after this instant. */
  readonly expiresAt: string;
}

/** Codes for a malformed proposal: a 400, nothing is written (DESIGN §3 step 1). */
export const PROPOSAL_ERROR_CODES = [
  'INVALID_PROPOSAL',
  'INVALID_MARKET',
  'INVALID_DECIMAL',
  'MARKET_ORDER_AMOUNT',
  'MARKET_ORDER_PRICE',
  'LIMIT_ORDER_FIELDS',
  'INVALID_EXPIRES_AT',
] as const;
export type ProposalErrorCode = (typeof PROPOSAL_ERROR_CODES)[number];

export type ProposalValidation =
  | { readonly ok: true; readonly proposal: TradeProposal }
  | { readonly ok: false; readonly code: ProposalErrorCode; readonly reason: string };

/** The loose shape; the rules between fields are checked by `validateProposal`. Unknown keys are dropped. */
export const tradeProposalShapeSchema = z.object({
  market: z.string(),
  side: z.enum(['buy', 'sell']),
  orderType: z.enum(['market', 'limit']),
  amount: z.string().optional(),
  amountQuote: z.string().optional(),
  price: z.string().optional(),
  expiresAt: z.string(),
});

function fail(code: ProposalErrorCode, reason: string): ProposalValidation {
  return { ok: false, code, reason };
}

/**
 * Checks a proposal's own shape: market id, positive decimals, the fields each order type needs,
 * and an ISO expiry. It does not look at any state (that is what the gates do).
 */
export function validateProposal(input: unknown): ProposalValidation {
  const shape = tradeProposalShapeSchema.safeParse(input);
  if (!shape.success) return fail('INVALID_PROPOSAL', z.prettifyError(shape.error));
  const { market, side, orderType, amount, amountQuote, price, expiresAt } = shape.data;

  if (!marketIdSchema.safeParse(market).success)
    return fail('INVALID_MARKET', 'market must look like BTC-EUR');
  for (const [field, value] of [
    ['amount', amount],
    ['amountQuote', amountQuote],
    ['price', price],
  ] as const) {
    if (value !== undefined && !isPositiveDecimalString(value)) {
      return fail(
        'INVALID_DECIMAL',
        `${field} must be a positive decimal string such as "0.015" (at most 32 characters)`,
      );
    }
  }
  if (orderType === 'market') {
    if ((amount === undefined) === (amountQuote === undefined)) {
      return fail('MARKET_ORDER_AMOUNT', 'a market order needs exactly one of amount or amountQuote');
    }
    if (price !== undefined) return fail('MARKET_ORDER_PRICE', 'a market order takes no price');
  } else if (amount === undefined || price === undefined || amountQuote !== undefined) {
    return fail('LIMIT_ORDER_FIELDS', 'a limit order needs amount and price, and takes no amountQuote');
  }
  if (!isValidIsoTimestamp(expiresAt)) {
    return fail(
      'INVALID_EXPIRES_AT',
      'expiresAt must be a UTC ISO-8601 date-time such as 2025-01-01T12:00:00Z',
    );
  }

  const proposal: TradeProposal = {
    market,
    side,
    orderType,
    expiresAt,
    ...(amount === undefined ? {} : { amount }),
    ...(amountQuote === undefined ? {} : { amountQuote }),
    ...(price === undefined ? {} : { price }),
  };
  return { ok: true, proposal };
}
