import { z } from 'zod';
import { clientOrderIdSchema, marketSchema } from '../../../domain/execution';
import { userIdSchema } from '../../../domain/policy';

const decimalInput = z
  .string()
  .max(64)
  .regex(/^[0-9.]+$/, 'must be a decimal string such as "0.015"')
  .describe('a positive decimal as a string');

/**
 * POST /v1/executions. Unknown fields are refused (a typo such as "amout" must not pass silently);
 * the rules between fields (market order: exactly one of amount / amountQuote; limit: amount and
 * price) are checked by the domain's validateProposal, also as 400 VALIDATION_FAILED.
 */
export const submitExecutionBodySchema = z.strictObject({
  // Lower-cased: the same UUID in another case is the same key (one stream, one order).
  clientOrderId: clientOrderIdSchema
    .toLowerCase()
    .describe('the idempotency key: a UUID chosen by the client (case does not matter)'),
  market: marketSchema.describe('e.g. BTC-EUR'),
  side: z.enum(['buy', 'sell']),
  orderType: z.enum(['market', 'limit']),
  amount: decimalInput.optional(),
  amountQuote: decimalInput.optional(),
  price: decimalInput.optional(),
  expiresAt: z.iso
    .datetime()
    .describe('the proposal must not be acted on after this instant (UTC, ISO-8601 with Z)'),
  userId: userIdSchema
    .optional()
    .describe('ops only: the user the order is for; a trader key trades for its own user'),
});
export type SubmitExecutionBody = z.infer<typeof submitExecutionBodySchema>;
