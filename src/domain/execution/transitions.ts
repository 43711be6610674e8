import type { ExecutionEventType } from './executionEvents';
import {
  EXECUTION_STATUSES,
  NO_EXECUTION,
  type ExecutionStatus,
  type ExecutionStatusOrNone,
} from './executionStatus';

/**
 * THE transition table: status × event type → next status. Anything not listed is illegal.
 *
 * Why each row is as it is:
 * - NONE: a proposal is either let through (intent written before the send) or refused by a gate.
 * - SUBMITTING: the send's outcome (ack, HARD, unknown), lookups and evidence-backed re-sends. No fill
 *   or cancel here: whoever learns the order exists writes `Submitted` first, then what it saw.
 * - SUBMITTED / PARTIALLY_FILLED: the exchange's own life of an order. A cancel or expiry may carry a
 *   partial fill (its totals say so), and a cancel may race a fill, so both stay legal until the end.
 * - Terminal statuses accept nothing: fills seen with the final order are written before the end event.
 */
export const EXECUTION_TRANSITIONS: Readonly<
  Record<ExecutionStatusOrNone, Readonly<Partial<Record<ExecutionEventType, ExecutionStatus>>>>
> = {
  NONE: {
    ExecutionSubmitting: 'SUBMITTING',
    ExecutionRejected: 'REJECTED',
  },
  SUBMITTING: {
    Submitted: 'SUBMITTED',
    SubmissionFailed: 'FAILED',
    SubmissionOutcomeUnknown: 'SUBMITTING',
    ReconcileAttempted: 'SUBMITTING',
    SubmissionRetried: 'SUBMITTING',
    ExecutionAbandoned: 'FAILED',
  },
  SUBMITTED: {
    FillRecorded: 'PARTIALLY_FILLED',
    Filled: 'FILLED',
    Cancelled: 'CANCELLED',
    Expired: 'EXPIRED',
  },
  PARTIALLY_FILLED: {
    FillRecorded: 'PARTIALLY_FILLED',
    Filled: 'FILLED',
    Cancelled: 'CANCELLED',
    Expired: 'EXPIRED',
  },
  REJECTED: {},
  FAILED: {},
  FILLED: {},
  CANCELLED: {},
  EXPIRED: {},
};

/** The next status, or `undefined` when the pair is illegal. */
export function nextExecutionStatus(
  status: ExecutionStatusOrNone,
  eventType: ExecutionEventType,
): ExecutionStatus | undefined {
  return EXECUTION_TRANSITIONS[status][eventType];
}

export interface ExecutionTransition {
  readonly from: ExecutionStatusOrNone;
  readonly event: ExecutionEventType;
  readonly to: ExecutionStatus;
}

/** Every legal transition, as a list (for tests, docs and the invariants). */
export function listExecutionTransitions(): ExecutionTransition[] {
  const transitions: ExecutionTransition[] = [];
  for (const from of [NO_EXECUTION, ...EXECUTION_STATUSES] as const) {
    for (const [event, to] of Object.entries(EXECUTION_TRANSITIONS[from])) {
      transitions.push({ from, event: event as ExecutionEventType, to });
    }
  }
  return transitions;
}

/** The status a sequence of event types leads to, or `undefined` at the first illegal step. */
export function statusAfterEventTypes(
  types: readonly ExecutionEventType[],
): ExecutionStatusOrNone | undefined {
  let status: ExecutionStatusOrNone = NO_EXECUTION;
  for (const type of types) {
    const next = nextExecutionStatus(status, type);
    if (next === undefined) return undefined;
    status = next;
  }
  return status;
}
