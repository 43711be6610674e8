import type { z } from 'zod';
import { cancelledSchema, expiredSchema, filledSchema, fillRecordedSchema } from './fillEvents';
import { executionRejectedSchema, executionSubmittingSchema } from './proposalEvents';
import { reconcileAttemptedSchema } from './reconcileEvents';
import {
  executionAbandonedSchema,
  submissionFailedSchema,
  submissionOutcomeUnknownSchema,
  submissionRetriedSchema,
  submittedSchema,
} from './submissionEvents';

/** The current (newest) schema of every execution event type. */
export const EXECUTION_EVENT_SCHEMAS = {
  ExecutionSubmitting: executionSubmittingSchema,
  ExecutionRejected: executionRejectedSchema,
  Submitted: submittedSchema,
  SubmissionFailed: submissionFailedSchema,
  SubmissionOutcomeUnknown: submissionOutcomeUnknownSchema,
  ReconcileAttempted: reconcileAttemptedSchema,
  SubmissionRetried: submissionRetriedSchema,
  FillRecorded: fillRecordedSchema,
  Filled: filledSchema,
  Cancelled: cancelledSchema,
  Expired: expiredSchema,
  ExecutionAbandoned: executionAbandonedSchema,
} as const;

export type ExecutionEventType = keyof typeof EXECUTION_EVENT_SCHEMAS;

export const EXECUTION_EVENT_TYPES: readonly ExecutionEventType[] = [
  'ExecutionSubmitting',
  'ExecutionRejected',
  'Submitted',
  'SubmissionFailed',
  'SubmissionOutcomeUnknown',
  'ReconcileAttempted',
  'SubmissionRetried',
  'FillRecorded',
  'Filled',
  'Cancelled',
  'Expired',
  'ExecutionAbandoned',
];

export type ExecutionEventDataMap = {
  [K in ExecutionEventType]: z.infer<(typeof EXECUTION_EVENT_SCHEMAS)[K]>;
};

/** An execution event as the domain sees it: a type and its validated data (no store metadata). */
export type ExecutionEvent = {
  [K in ExecutionEventType]: { readonly type: K; readonly data: ExecutionEventDataMap[K] };
}[ExecutionEventType];

export type ExecutionEventOf<K extends ExecutionEventType> = Extract<ExecutionEvent, { type: K }>;

export function isExecutionEventType(type: string): type is ExecutionEventType {
  return Object.hasOwn(EXECUTION_EVENT_SCHEMAS, type);
}

/** Builds an event with its type checked against its data at compile time. */
export function executionEvent<K extends ExecutionEventType>(
  type: K,
  data: ExecutionEventDataMap[K],
): ExecutionEventOf<K> {
  return { type, data } as ExecutionEventOf<K>;
}

/** The time an event happened, whatever its type calls it. */
export function executionEventTime(event: ExecutionEvent): string {
  switch (event.type) {
    case 'ExecutionSubmitting':
      return event.data.submittingAt;
    case 'ExecutionRejected':
      return event.data.rejectedAt;
    default:
      return event.data.at;
  }
}
