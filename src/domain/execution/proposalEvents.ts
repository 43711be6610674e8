import { z } from 'zod';
import { confidenceLevelSchema } from '../policy/confidenceLevels';
import { isoTimestampSchema } from '../policy/auditFields';
import { decimalStringSchema, positiveDecimalStringSchema } from '../policy/decimalString';
import { GATE_CODES, type GateCode } from '../gates/gateResult';
import { orderShapeProblem, proposalFields, requestHashSchema } from './eventFields';

/** The gate refusals of DESIGN §4, in the order the gates run: the gates' own codes. */
export const EXECUTION_REJECT_CODES = GATE_CODES;
export type ExecutionRejectCode = GateCode;
export const executionRejectCodeSchema = z.enum(EXECUTION_REJECT_CODES);

/** What the gates saw when they let the order through: the audit answer to "why was this allowed?". */
export const gateEvidenceSchema = z.strictObject({
  confidenceLevel: confidenceLevelSchema,
  /** The per-order limit applied; `null` when the level has no fixed limit (MATURE, capped by balance). */
  limitEur: decimalStringSchema.nullable(),
  /** The available balance the gate used, in `balanceCurrency` (EUR for a buy, the base asset for a sell). */
  balanceSeen: decimalStringSchema,
  balanceCurrency: z.string().regex(/^[A-Z0-9]{1,16}$/),
  priceSeen: positiveDecimalStringSchema,
  notionalEur: decimalStringSchema,
});
export type GateEvidence = z.infer<typeof gateEvidenceSchema>;

/** Written before the exchange call: the intent. Appended with expected revision "no stream" (the lock). */
export const executionSubmittingSchema = z
  .strictObject({
    schemaVersion: z.literal(1),
    ...proposalFields,
    requestHash: requestHashSchema,
    gateEvidence: gateEvidenceSchema,
    submittingAt: isoTimestampSchema,
  })
  .superRefine((data, ctx) => {
    const problem = orderShapeProblem(data);
    if (problem !== null) ctx.addIssue({ code: 'custom', message: problem, path: ['orderType'] });
  });

/**
 * A gate refused. The proposal is recorded as asked (its shape is not re-checked: a refusal must be
 * recordable whatever was proposed), so that the same key can be answered from the stream forever.
 */
export const executionRejectedSchema = z.strictObject({
  schemaVersion: z.literal(1),
  ...proposalFields,
  requestHash: requestHashSchema,
  rejectCode: executionRejectCodeSchema,
  reason: z.string().min(1).max(2000),
  rejectedAt: isoTimestampSchema,
});

export type ExecutionSubmittingData = z.infer<typeof executionSubmittingSchema>;
export type ExecutionRejectedData = z.infer<typeof executionRejectedSchema>;
