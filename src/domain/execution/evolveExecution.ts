import { ExactDecimal, toPlainString } from '../policy/decimalString';
import { ExecutionError, IllegalTransition } from './executionErrors';
import { executionEventTime, type ExecutionEvent, type ExecutionEventOf } from './executionEvents';
import type { ExecutionStatus } from './executionStatus';
import type { UnknownOutcomeClass } from './submissionEvents';
import type { Execution, ExecutionState } from './executionState';
import { nextExecutionStatus } from './transitions';

function later(a: string, b: string): string {
  return Date.parse(b) > Date.parse(a) ? b : a;
}

function created(
  event: ExecutionEventOf<'ExecutionSubmitting'> | ExecutionEventOf<'ExecutionRejected'>,
  status: ExecutionStatus,
): Execution {
  const data = event.data;
  const submitting = event.type === 'ExecutionSubmitting' ? event.data : null;
  const rejected = event.type === 'ExecutionRejected' ? event.data : null;
  return {
    status,
    clientOrderId: data.clientOrderId,
    userId: data.userId,
    market: data.market,
    side: data.side,
    orderType: data.orderType,
    amount: data.amount,
    amountQuote: data.amountQuote,
    price: data.price,
    expiresAt: data.expiresAt,
    requestHash: data.requestHash,
    gateEvidence: submitting?.gateEvidence ?? null,
    rejectCode: rejected?.rejectCode ?? null,
    rejectReason: rejected?.reason ?? null,
    exchangeOrderId: null,
    exchangeStatus: null,
    submittingAt: submitting?.submittingAt ?? null,
    submittedAt: null,
    rejectedAt: rejected?.rejectedAt ?? null,
    lastSentAt: null,
    endedAt: rejected?.rejectedAt ?? null,
    endReason: null,
    abandonNote: null,
    abandonedBy: null,
    updatedAt: executionEventTime(event),
    reconcileAttempts: 0,
    retries: 0,
    neededReconciliation: false,
    lastSendOutcome: null,
    notFoundAfterWindowCount: 0,
    sweepNotListedAfterWindow: false,
    filledAmount: '0',
    filledAmountQuote: '0',
    feePaid: '0',
    feeCurrency: null,
    fillIds: [],
    lastError: null,
    version: 1,
  };
}

function assertWithinAmount(state: Execution, filledAmount: string, what: string): void {
  if (state.amount !== null && new ExactDecimal(filledAmount).gt(state.amount)) {
    throw new ExecutionError(
      'OVERFILL',
      `${what} would fill ${filledAmount} of an order for ${state.amount} (execution ${state.clientOrderId})`,
      state.clientOrderId,
    );
  }
}

/** Applies one event of an existing execution; the transition itself is already known to be legal. */
function applied(state: Execution, event: ExecutionEvent, status: ExecutionStatus): Execution {
  const at = executionEventTime(event);
  const base = { ...state, status, updatedAt: later(state.updatedAt, at), version: state.version + 1 };
  switch (event.type) {
    case 'ExecutionSubmitting':
    case 'ExecutionRejected':
      // Unreachable: the table only allows these from NONE.
      throw new IllegalTransition(state.status, event.type, state.clientOrderId);
    case 'Submitted':
      return {
        ...base,
        exchangeOrderId: event.data.exchangeOrderId,
        exchangeStatus: event.data.exchangeStatus,
        submittedAt: at,
      };
    case 'SubmissionFailed':
      return {
        ...base,
        endedAt: at,
        lastError: { source: 'send', errorClass: 'HARD', ...pickError(event.data), at },
      };
    case 'SubmissionOutcomeUnknown':
      return {
        ...base,
        lastSentAt:
          state.lastSentAt === null ? event.data.sentAt : later(state.lastSentAt, event.data.sentAt),
        lastSendOutcome: leastSafeOutcome(state.lastSendOutcome, event.data.errorClass),
        neededReconciliation: true,
        lastError: { source: 'send', errorClass: event.data.errorClass, ...pickError(event.data), at },
      };
    case 'ReconcileAttempted': {
      const data = event.data;
      const afterWindowNotFound = data.result === 'not_found' && data.windowElapsed;
      return {
        ...base,
        reconcileAttempts: state.reconcileAttempts + 1,
        neededReconciliation: true,
        notFoundAfterWindowCount:
          state.notFoundAfterWindowCount + (afterWindowNotFound && data.method === 'get_order' ? 1 : 0),
        sweepNotListedAfterWindow:
          state.sweepNotListedAfterWindow || (afterWindowNotFound && data.method === 'list_orders'),
        lastError:
          data.result === 'lookup_error'
            ? {
                source: 'reconcile',
                errorClass: null,
                httpStatus: data.httpStatus,
                errorCode: data.errorCode,
                message: data.message ?? 'lookup failed',
                at,
              }
            : state.lastError,
      };
    }
    case 'SubmissionRetried':
      // A new send: the evidence gathered about the previous one says nothing about this one.
      return {
        ...base,
        retries: state.retries + 1,
        lastSentAt: event.data.sentAt,
        lastSendOutcome: null,
        notFoundAfterWindowCount: 0,
        sweepNotListedAfterWindow: false,
      };
    case 'FillRecorded': {
      const data = event.data;
      if (state.fillIds.includes(data.fillId)) {
        throw new ExecutionError(
          'DUPLICATE_FILL',
          `fill ${data.fillId} is already recorded (execution ${state.clientOrderId})`,
          state.clientOrderId,
        );
      }
      const filledAmount = toPlainString(new ExactDecimal(state.filledAmount).plus(data.amount));
      assertWithinAmount(state, filledAmount, `fill ${data.fillId}`);
      const quote = new ExactDecimal(data.amount).times(data.price);
      return {
        ...base,
        filledAmount,
        filledAmountQuote: toPlainString(new ExactDecimal(state.filledAmountQuote).plus(quote)),
        feePaid: toPlainString(new ExactDecimal(state.feePaid).plus(data.fee)),
        feeCurrency: state.feeCurrency ?? data.feeCurrency,
        fillIds: [...state.fillIds, data.fillId],
      };
    }
    case 'Filled':
    case 'Cancelled':
    case 'Expired': {
      const data = event.data;
      assertWithinAmount(state, data.filledAmount, event.type);
      return {
        ...base,
        filledAmount: data.filledAmount,
        filledAmountQuote: data.filledAmountQuote,
        feePaid: data.feePaid,
        endedAt: at,
        endReason: event.type === 'Filled' ? null : event.data.reason,
      };
    }
    case 'ExecutionAbandoned':
      return {
        ...base,
        endedAt: at,
        endReason: event.data.reason,
        abandonNote: event.data.note,
        abandonedBy: event.data.operatorId,
      };
  }
}

/** How little an outcome tells us; a later, more hopeful answer never overrides a less safe one. */
const OUTCOME_UNSAFETY: Readonly<Record<UnknownOutcomeClass, number>> = {
  SOFT_NOT_EXECUTED: 0,
  UNKNOWN: 1,
  ALREADY_EXISTS: 2,
};

/**
 * Two unknown outcomes for one send (a caller bug) keep the less safe class, so that a SOFT answer can
 * never upgrade an UNKNOWN one into evidence that the order was not placed.
 */
function leastSafeOutcome(
  previous: UnknownOutcomeClass | null,
  next: UnknownOutcomeClass,
): UnknownOutcomeClass {
  if (previous === null) return next;
  return OUTCOME_UNSAFETY[previous] >= OUTCOME_UNSAFETY[next] ? previous : next;
}

function pickError(data: { httpStatus: number | null; errorCode: number | null; message: string }) {
  return { httpStatus: data.httpStatus, errorCode: data.errorCode, message: data.message };
}

/**
 * The fold. Throws IllegalTransition for a pair outside the transition table, and ExecutionError
 * DUPLICATE_FILL / OVERFILL for a fill recorded twice or fills beyond the order amount. A duplicate
 * fill is an error rather than a no-op: deciders drop known fill ids before they emit, so a second
 * FillRecorded for one id in a stream is a bug that replay must surface, not hide.
 */
export function evolveExecution(state: ExecutionState, event: ExecutionEvent): ExecutionState {
  const clientOrderId = state.status === 'NONE' ? null : state.clientOrderId;
  const next = nextExecutionStatus(state.status, event.type);
  if (next === undefined) throw new IllegalTransition(state.status, event.type, clientOrderId);
  if (event.type === 'ExecutionSubmitting' || event.type === 'ExecutionRejected') return created(event, next);
  if (state.status === 'NONE') throw new IllegalTransition(state.status, event.type, null);
  return applied(state, event, next);
}
