import { z } from 'zod';
import { isoTimestampSchema } from '../policy/auditFields';
import { errorCodeSchema, exchangeOrderIdSchema, httpStatusSchema, messageSchema } from './eventFields';

/**
 * One lookup by clientOrderId: GET /order (`get_order`) or a GET /orders sweep of the market
 * (`list_orders`). `not_found` is a real answer (240, or a complete sweep without the id); a failed
 * lookup is `lookup_error` and is never evidence.
 */
export const reconcileAttemptedSchema = z
  .strictObject({
    schemaVersion: z.literal(1),
    /** 1-based count of lookups for this execution. */
    attempt: z.number().int().min(1).max(100_000),
    method: z.enum(['get_order', 'list_orders']),
    result: z.enum(['found', 'not_found', 'lookup_error']),
    exchangeOrderId: exchangeOrderIdSchema.nullable(),
    httpStatus: httpStatusSchema,
    errorCode: errorCodeSchema,
    message: messageSchema.nullable(),
    /**
     * The lookup was made after `sentAt + accessWindow + clockSkewMax` of the latest send, so no
     * delayed original could still execute. Stamped by the reconcile decision, which knows the settings.
     */
    windowElapsed: z.boolean(),
    at: isoTimestampSchema,
  })
  .refine((data) => (data.result === 'found') === (data.exchangeOrderId !== null), {
    message: 'exchangeOrderId is set exactly when the result is found',
    path: ['exchangeOrderId'],
  });

export type ReconcileAttemptedData = z.infer<typeof reconcileAttemptedSchema>;
