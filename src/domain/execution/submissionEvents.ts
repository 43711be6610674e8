import { z } from 'zod';
import { isoTimestampSchema } from '../policy/auditFields';
import {
  errorCodeSchema,
  exchangeOrderIdSchema,
  exchangeOrderStatusSchema,
  httpStatusSchema,
  messageSchema,
  noteSchema,
} from './eventFields';

/** The exchange acknowledged the order: from the send's own response or found by reconcile. */
export const submittedSchema = z.strictObject({
  schemaVersion: z.literal(1),
  exchangeOrderId: exchangeOrderIdSchema,
  exchangeStatus: exchangeOrderStatusSchema,
  via: z.enum(['response', 'reconcile']),
  at: isoTimestampSchema,
});

/** A HARD error: the exchange certainly did not place the order. */
export const submissionFailedSchema = z.strictObject({
  schemaVersion: z.literal(1),
  errorClass: z.literal('HARD'),
  httpStatus: httpStatusSchema,
  errorCode: errorCodeSchema,
  message: messageSchema,
  at: isoTimestampSchema,
});

export const UNKNOWN_OUTCOME_CLASSES = ['UNKNOWN', 'SOFT_NOT_EXECUTED', 'ALREADY_EXISTS'] as const;
export type UnknownOutcomeClass = (typeof UNKNOWN_OUTCOME_CLASSES)[number];

/** Timeout, reset, 5xx, SOFT not-executed or 220: stays SUBMITTING until reconcile decides. */
export const submissionOutcomeUnknownSchema = z.strictObject({
  schemaVersion: z.literal(1),
  errorClass: z.enum(UNKNOWN_OUTCOME_CLASSES),
  httpStatus: httpStatusSchema,
  errorCode: errorCodeSchema,
  message: messageSchema,
  /** When the request was sent (just before signing): the start of its access window. */
  sentAt: isoTimestampSchema,
  at: isoTimestampSchema,
});

/**
 * A re-send with the same clientOrderId, written BEFORE the send (like ExecutionSubmitting), and only
 * with evidence that the previous send was not placed.
 */
export const submissionRetriedSchema = z.strictObject({
  schemaVersion: z.literal(1),
  /** 1 for the first re-send. */
  attempt: z.number().int().min(1).max(1000),
  evidence: z.enum(['soft_not_executed', 'window_elapsed_not_found']),
  sentAt: isoTimestampSchema,
  at: isoTimestampSchema,
});

/** Proven not placed (but not re-sent), or resolved by an operator with a note. → FAILED. */
export const executionAbandonedSchema = z.strictObject({
  schemaVersion: z.literal(1),
  reason: z.enum(['proven_not_placed', 'operator_resolved']),
  note: noteSchema,
  operatorId: z.string().min(1).max(100).nullable(),
  at: isoTimestampSchema,
});

export type SubmittedData = z.infer<typeof submittedSchema>;
export type SubmissionFailedData = z.infer<typeof submissionFailedSchema>;
export type SubmissionOutcomeUnknownData = z.infer<typeof submissionOutcomeUnknownSchema>;
export type SubmissionRetriedData = z.infer<typeof submissionRetriedSchema>;
export type ExecutionAbandonedData = z.infer<typeof executionAbandonedSchema>;
