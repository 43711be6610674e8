import type { ExchangeFailure } from '../ports/exchange';
import type {
  AbandonExecution,
  ExecutionCommand,
  RecordOrderUpdate,
  RecordSendOutcome,
  StartExecution,
} from './executionCommands';
import { ExecutionError } from './executionErrors';
import { executionEvent, type ExecutionEvent } from './executionEvents';
import { orderShapeProblem } from './eventFields';
import { isTerminalStatus } from './executionStatus';
import type { Execution, ExecutionState } from './executionState';
import { evolveExecution } from './evolveExecution';
import { exchangeOrderMismatch, followExchangeOrder } from './followExchangeOrder';
import { fastExecutionEvent } from './checkExecutionEventData';

export type DecideResult =
  | { readonly ok: true; readonly events: ExecutionEvent[] }
  | { readonly ok: false; readonly error: ExecutionError };

const refuse = (error: ExecutionError): DecideResult => ({ ok: false, error });

/**
 * Validates the events (the write-side schema check) and folds them onto the state, so that a
 * decision can never produce an event the table or the schemas would refuse on replay. The check is
 * the schemas' hand-written twin (zod gives the verdict on anything it refuses); zod itself checks
 * every event once more where it is appended (toEventToAppend), so a submission does not pay for
 * two zod passes over each of its events.
 */
export function checkedEvents(state: ExecutionState, events: ExecutionEvent[]): DecideResult {
  let next = state;
  try {
    for (const event of events) next = evolveExecution(next, fastExecutionEvent(event.type, event.data));
  } catch (error) {
    if (error instanceof ExecutionError) return refuse(error);
    throw error;
  }
  return { ok: true, events };
}

function startExecution(command: StartExecution, state: ExecutionState, nowIso: string): DecideResult {
  const { proposal, requestHash, gate } = command;
  if (state.status !== 'NONE') {
    return state.requestHash === requestHash
      ? refuse(
          new ExecutionError(
            'EXECUTION_ALREADY_EXISTS',
            `execution ${state.clientOrderId} exists`,
            state.clientOrderId,
          ),
        )
      : refuse(
          new ExecutionError(
            'IDEMPOTENCY_KEY_REUSED',
            `clientOrderId ${state.clientOrderId} was used for a different request`,
            state.clientOrderId,
          ),
        );
  }
  const proposalFields = { schemaVersion: 1 as const, ...proposal, requestHash };
  if (!gate.ok) {
    return checkedEvents(state, [
      executionEvent('ExecutionRejected', {
        ...proposalFields,
        rejectCode: gate.code,
        reason: gate.reason,
        rejectedAt: nowIso,
      }),
    ]);
  }
  const shapeProblem = orderShapeProblem(proposal);
  if (shapeProblem !== null)
    return refuse(new ExecutionError('INVALID_COMMAND', shapeProblem, proposal.clientOrderId));
  return checkedEvents(state, [
    executionEvent('ExecutionSubmitting', {
      ...proposalFields,
      gateEvidence: gate.evidence,
      submittingAt: nowIso,
    }),
  ]);
}

function requireExecution(state: ExecutionState): Execution | ExecutionError {
  return state.status === 'NONE' ? new ExecutionError('EXECUTION_NOT_FOUND', 'no such execution') : state;
}

function requireInFlight(state: ExecutionState): Execution | ExecutionError {
  const execution = requireExecution(state);
  if (execution instanceof ExecutionError || execution.status === 'SUBMITTING') return execution;
  return new ExecutionError(
    'NOT_IN_FLIGHT',
    `execution ${execution.clientOrderId} is ${execution.status}, not SUBMITTING`,
    execution.clientOrderId,
  );
}

function failureFields(failure: ExchangeFailure) {
  return {
    httpStatus: failure.httpStatus ?? null,
    errorCode: failure.errorCode ?? null,
    message: failure.message.slice(0, 2000),
  };
}

function recordSendOutcome(command: RecordSendOutcome, state: ExecutionState, nowIso: string): DecideResult {
  const execution = requireInFlight(state);
  if (execution instanceof ExecutionError) return refuse(execution);
  const { result, sentAt } = command;
  if (result.ok) {
    const mismatch = exchangeOrderMismatch(execution, result.value);
    if (mismatch !== null) {
      // An acknowledgement for another order proves nothing about ours: reconcile must find out.
      return checkedEvents(state, [
        executionEvent('SubmissionOutcomeUnknown', {
          schemaVersion: 1,
          errorClass: 'UNKNOWN',
          httpStatus: null,
          errorCode: null,
          message: mismatch,
          sentAt,
          at: nowIso,
        }),
      ]);
    }
    const submitted = executionEvent('Submitted', {
      schemaVersion: 1,
      exchangeOrderId: result.value.orderId,
      exchangeStatus: result.value.status,
      via: 'response',
      at: nowIso,
    });
    return checkedEvents(state, [submitted, ...followExchangeOrder(execution, result.value, nowIso)]);
  }
  if (execution.lastSendOutcome !== null) {
    return refuse(
      new ExecutionError(
        'OUTCOME_ALREADY_RECORDED',
        `the latest send of execution ${execution.clientOrderId} already has an outcome (${execution.lastSendOutcome})`,
        execution.clientOrderId,
      ),
    );
  }
  if (result.errorClass === 'HARD') {
    return checkedEvents(state, [
      executionEvent('SubmissionFailed', {
        schemaVersion: 1,
        errorClass: 'HARD',
        ...failureFields(result),
        at: nowIso,
      }),
    ]);
  }
  // NOT_FOUND cannot answer a POST; if it ever does, it is treated as the least safe class.
  const errorClass = result.errorClass === 'NOT_FOUND' ? 'UNKNOWN' : result.errorClass;
  return checkedEvents(state, [
    executionEvent('SubmissionOutcomeUnknown', {
      schemaVersion: 1,
      errorClass,
      ...failureFields(result),
      sentAt,
      at: nowIso,
    }),
  ]);
}

function recordOrderUpdate(command: RecordOrderUpdate, state: ExecutionState, nowIso: string): DecideResult {
  const execution = requireExecution(state);
  if (execution instanceof ExecutionError) return refuse(execution);
  if (isTerminalStatus(execution.status)) return { ok: true, events: [] };
  if (execution.status === 'SUBMITTING') {
    return refuse(
      new ExecutionError(
        'NOT_ON_EXCHANGE',
        `execution ${execution.clientOrderId} is SUBMITTING: reconcile it first`,
        execution.clientOrderId,
      ),
    );
  }
  const mismatch = exchangeOrderMismatch(execution, command.order);
  if (mismatch !== null)
    return refuse(new ExecutionError('ORDER_MISMATCH', mismatch, execution.clientOrderId));
  return checkedEvents(state, followExchangeOrder(execution, command.order, nowIso));
}

function abandonExecution(command: AbandonExecution, state: ExecutionState, nowIso: string): DecideResult {
  const execution = requireInFlight(state);
  if (execution instanceof ExecutionError) return refuse(execution);
  const note = command.note.trim();
  const operatorId = command.operatorId.trim();
  if (note.length === 0 || note.length > 2000 || operatorId.length === 0 || operatorId.length > 100) {
    return refuse(
      new ExecutionError(
        'INVALID_COMMAND',
        'an operator id and a note (1-2000 characters) are required',
        execution.clientOrderId,
      ),
    );
  }
  return checkedEvents(state, [
    executionEvent('ExecutionAbandoned', {
      schemaVersion: 1,
      reason: 'operator_resolved',
      note,
      operatorId,
      at: nowIso,
    }),
  ]);
}

/**
 * The execution decider: a command and the current state → the events to append, or a typed error
 * (nothing to append). Pure: the time comes in as `nowIso`.
 */
export function decideExecution(
  command: ExecutionCommand,
  state: ExecutionState,
  nowIso: string,
): DecideResult {
  switch (command.type) {
    case 'StartExecution':
      return startExecution(command, state, nowIso);
    case 'RecordSendOutcome':
      return recordSendOutcome(command, state, nowIso);
    case 'RecordOrderUpdate':
      return recordOrderUpdate(command, state, nowIso);
    case 'AbandonExecution':
      return abandonExecution(command, state, nowIso);
  }
}
