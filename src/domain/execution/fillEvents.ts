import { z } from 'zod';
import { isoTimestampSchema } from '../policy/auditFields';
import { decimalStringSchema, positiveDecimalStringSchema } from '../policy/decimalString';

/** One fill, deduplicated by the exchange's fill id. `at` is the exchange's time of the fill. */
export const fillRecordedSchema = z.strictObject({
  schemaVersion: z.literal(1),
  fillId: z.string().min(1).max(100),
  amount: positiveDecimalStringSchema,
  price: positiveDecimalStringSchema,
  fee: decimalStringSchema,
  feeCurrency: z.string().regex(/^[A-Z0-9]{1,16}$/),
  at: isoTimestampSchema,
});

/** The exchange's own totals when the order ended; they are authoritative over the sum of fills. */
const totals = {
  schemaVersion: z.literal(1),
  filledAmount: decimalStringSchema,
  filledAmountQuote: decimalStringSchema,
  feePaid: decimalStringSchema,
  at: isoTimestampSchema,
};

export const filledSchema = z.strictObject(totals);
/** Ended by the exchange, possibly after a partial fill; `reason` is the exchange's status or a note. */
export const cancelledSchema = z.strictObject({ ...totals, reason: z.string().min(1).max(200) });
export const expiredSchema = z.strictObject({ ...totals, reason: z.string().min(1).max(200) });

export type FillRecordedData = z.infer<typeof fillRecordedSchema>;
export type FilledData = z.infer<typeof filledSchema>;
export type CancelledData = z.infer<typeof cancelledSchema>;
export type ExpiredData = z.infer<typeof expiredSchema>;
