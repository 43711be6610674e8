import { checkedEvents } from '../execution/decideExecution';
import { ExecutionError } from '../execution/executionErrors';
import { executionEvent, type ExecutionEvent } from '../execution/executionEvents';
import type { Execution, ExecutionState } from '../execution/executionState';
import { evolveExecution } from '../execution/evolveExecution';
import { followExchangeOrder } from '../execution/followExchangeOrder';
import { placeOrderRequestOf } from '../execution/placeOrderRequest';
import type { ExchangeOrder, ExchangeResult, PlaceOrderRequest } from '../ports/exchange';
import { classifyGetOrder, classifySweep, type LookupOutcome, type SweepLookup } from './lookupOutcome';
import { notPlacedEvidence, type NotPlacedEvidence } from './notPlacedEvidence';
import type { ReconcileSettings } from './reconcileSettings';
import { isSendWindowElapsed } from './sendWindow';
import { softRetryAllowedAtMs } from './softRetryDelay';

export interface ReconcileInput {
  readonly state: ExecutionState;
  /** GET /order by clientOrderId, made for this round. */
  readonly getOrder: ExchangeResult<ExchangeOrder>;
  /** GET /orders sweep, when `planReconcile` asked for one. */
  readonly sweep: SweepLookup | null;
  readonly nowMs: number;
  readonly settings: ReconcileSettings;
  /** Kill switch off, user enabled, proposal not expired... A re-send is a new order and must pass them. */
  readonly gatesStillPass: boolean;
}

export type ReconcileAction = 'found' | 'not_found' | 'lookup_error' | 'resend' | 'abandon' | 'wait';

export interface ReconcileDecision {
  readonly action: ReconcileAction;
  /** To append (expected revision: the state's) before anything else happens. */
  readonly events: ExecutionEvent[];
  readonly reason: string;
  /** For `resend`: the order to send right after the events are appended (same clientOrderId). */
  readonly resend: PlaceOrderRequest | null;
  readonly evidence: NotPlacedEvidence | null;
  /** The exchange orders a sweep listed with this clientOrderId, when there were several (a double placement). */
  readonly duplicateOrderIds?: readonly string[];
}

export type ReconcileResult =
  | { readonly ok: true; readonly decision: ReconcileDecision }
  | { readonly ok: false; readonly error: ExecutionError };

function attempted(
  attempt: number,
  method: 'get_order' | 'list_orders',
  outcome: LookupOutcome,
  windowElapsed: boolean,
  at: string,
): ExecutionEvent {
  const common = { schemaVersion: 1 as const, attempt, method, windowElapsed, at };
  switch (outcome.result) {
    case 'found':
      return executionEvent('ReconcileAttempted', {
        ...common,
        result: 'found',
        exchangeOrderId: outcome.order.orderId,
        httpStatus: null,
        errorCode: null,
        message: outcome.note,
      });
    case 'not_found':
      return executionEvent('ReconcileAttempted', {
        ...common,
        result: 'not_found',
        exchangeOrderId: null,
        httpStatus: outcome.httpStatus,
        errorCode: outcome.errorCode,
        message: null,
      });
    case 'lookup_error':
      return executionEvent('ReconcileAttempted', {
        ...common,
        result: 'lookup_error',
        exchangeOrderId: null,
        httpStatus: outcome.httpStatus,
        errorCode: outcome.errorCode,
        message: outcome.message,
      });
  }
}

function foundEvents(execution: Execution, order: ExchangeOrder, at: string): ExecutionEvent[] {
  const submitted = executionEvent('Submitted', {
    schemaVersion: 1,
    exchangeOrderId: order.orderId,
    exchangeStatus: order.status,
    via: 'reconcile',
    at,
  });
  return [submitted, ...followExchangeOrder(execution, order, at)];
}

function decided(
  state: ExecutionState,
  decision: Omit<ReconcileDecision, 'resend' | 'evidence'> & Partial<ReconcileDecision>,
): ReconcileResult {
  const checked = checkedEvents(state, decision.events);
  if (!checked.ok) return checked;
  return { ok: true, decision: { resend: null, evidence: null, ...decision } };
}

/**
 * One reconcile round for a SUBMITTING execution (DESIGN §3, step 6): records the lookups, and
 * - found → Submitted (+ fills, + Filled / Cancelled / Expired when the order has ended);
 * - evidence that the latest send was not placed, with a fresh 240 now → re-send (SubmissionRetried)
 *   if the gates still pass and re-sends remain, else ExecutionAbandoned{proven_not_placed};
 * - but no re-send within `softRetryDelayMs` of a send that answered SOFT (action `wait`);
 * - anything else stays SUBMITTING. Never FAILED on a timer; a lookup error is never evidence.
 */
export function decideReconcile(input: ReconcileInput): ReconcileResult {
  const { state, nowMs, settings } = input;
  if (state.status === 'NONE')
    return { ok: false, error: new ExecutionError('EXECUTION_NOT_FOUND', 'no such execution') };
  if (state.status !== 'SUBMITTING') {
    return {
      ok: false,
      error: new ExecutionError(
        'NOT_IN_FLIGHT',
        `execution ${state.clientOrderId} is ${state.status}, not SUBMITTING`,
        state.clientOrderId,
      ),
    };
  }
  const at = new Date(nowMs).toISOString();
  const windowElapsed = isSendWindowElapsed(state, nowMs, settings);
  const getOutcome = classifyGetOrder(state, input.getOrder);
  let attempt = state.reconcileAttempts;

  if (getOutcome.result === 'found') {
    attempt += 1;
    const events = [
      attempted(attempt, 'get_order', getOutcome, windowElapsed, at),
      ...foundEvents(state, getOutcome.order, at),
    ];
    return decided(state, {
      action: 'found',
      events,
      reason: `found exchange order ${getOutcome.order.orderId}`,
    });
  }
  if (state.reconcileAttempts >= settings.maxReconcileAttempts) {
    return decided(state, {
      action: 'wait',
      events: [],
      reason: `${state.reconcileAttempts} lookups recorded (limit ${settings.maxReconcileAttempts}): an operator must resolve it`,
    });
  }

  attempt += 1;
  const events = [attempted(attempt, 'get_order', getOutcome, windowElapsed, at)];
  if (input.sweep !== null) {
    const sweepOutcome = classifySweep(state, input.sweep, nowMs, settings);
    attempt += 1;
    events.push(attempted(attempt, 'list_orders', sweepOutcome, windowElapsed, at));
    if (sweepOutcome.result === 'found') {
      events.push(...foundEvents(state, sweepOutcome.order, at));
      return decided(state, {
        action: 'found',
        events,
        reason: `the sweep found exchange order ${sweepOutcome.order.orderId}${sweepOutcome.note === null ? '' : `; ${sweepOutcome.note}`}`,
        ...(sweepOutcome.duplicateOrderIds ? { duplicateOrderIds: sweepOutcome.duplicateOrderIds } : {}),
      });
    }
  }
  if (getOutcome.result === 'lookup_error') {
    return decided(state, { action: 'lookup_error', events, reason: `lookup failed: ${getOutcome.message}` });
  }

  // A fresh 240 right now; does the recorded history (with this round) prove the send was not placed?
  let after: ExecutionState = state;
  try {
    for (const event of events) after = evolveExecution(after, event);
  } catch (error) {
    if (error instanceof ExecutionError) return { ok: false, error };
    throw error;
  }
  const evidence = after.status === 'SUBMITTING' ? notPlacedEvidence(after, nowMs, settings) : null;
  if (evidence === null) {
    return decided(state, {
      action: 'not_found',
      events,
      reason: 'not found; no evidence yet that it was not placed',
    });
  }
  const softRetryAtMs = evidence === 'soft_not_executed' ? softRetryAllowedAtMs(state, settings) : null;
  if (softRetryAtMs !== null && nowMs < softRetryAtMs) {
    // planReconcile defers such rounds; a caller that looked up anyway records the lookups, no more.
    return decided(state, {
      action: 'wait',
      events,
      reason: `not placed (soft answer); no re-send before ${new Date(softRetryAtMs).toISOString()} (soft retry delay)`,
    });
  }
  if (state.retries >= settings.maxRetries || !input.gatesStillPass) {
    const why = !input.gatesStillPass
      ? 'the gates no longer pass'
      : `${state.retries} re-sends used (limit ${settings.maxRetries})`;
    events.push(
      executionEvent('ExecutionAbandoned', {
        schemaVersion: 1,
        reason: 'proven_not_placed',
        note: `not placed (${evidence}); not re-sent: ${why}`,
        operatorId: null,
        at,
      }),
    );
    return decided(state, { action: 'abandon', events, reason: `proven not placed; ${why}`, evidence });
  }
  events.push(
    executionEvent('SubmissionRetried', {
      schemaVersion: 1,
      attempt: state.retries + 1,
      evidence,
      sentAt: at,
      at,
    }),
  );
  return decided(state, {
    action: 'resend',
    events,
    reason: `proven not placed (${evidence}); re-send ${state.retries + 1} of ${settings.maxRetries}`,
    resend: placeOrderRequestOf(state),
    evidence,
  });
}
