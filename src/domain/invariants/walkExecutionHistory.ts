import type { ExecutionEventType } from '../execution/executionEvents';
import { NO_EXECUTION, type ExecutionStatus, type ExecutionStatusOrNone } from '../execution/executionStatus';
import { listExecutionTransitions, nextExecutionStatus } from '../execution/transitions';
import type { ExecutionHistory } from './invariantViolation';

export interface IllegalStep {
  readonly index: number;
  readonly from: ExecutionStatusOrNone;
  readonly eventType: ExecutionEventType;
}

export interface WalkStep {
  readonly index: number;
  readonly status: ExecutionStatusOrNone;
  /** The exchange order id known at this point (the latest Submitted's), or `null`. */
  readonly exchangeOrderId: string | null;
}

export interface HistoryWalk {
  readonly steps: readonly WalkStep[];
  readonly illegal: readonly IllegalStep[];
  readonly finalStatus: ExecutionStatusOrNone;
}

/** Where each event type leads; every type leads to one status wherever it is legal. */
const TARGET_STATUS: ReadonlyMap<ExecutionEventType, ExecutionStatus> = new Map(
  listExecutionTransitions().map((transition) => [transition.event, transition.to]),
);

function targetStatusOf(eventType: ExecutionEventType): ExecutionStatus | undefined {
  return TARGET_STATUS.get(eventType);
}

/**
 * A lenient walk over a history, for the invariants: unlike replay it never throws. An illegal event
 * is noted and still moves the status to where that event type leads (what its writer meant), so that
 * the other invariants keep checking the rest of the history; except back to SUBMITTING, which only
 * in-flight events lead to.
 */
export function walkExecutionHistory(history: ExecutionHistory): HistoryWalk {
  const steps: WalkStep[] = [];
  const illegal: IllegalStep[] = [];
  let status: ExecutionStatusOrNone = NO_EXECUTION;
  let exchangeOrderId: string | null = null;
  for (const [index, event] of history.events.entries()) {
    const next = nextExecutionStatus(status, event.type);
    if (next === undefined) illegal.push({ index, from: status, eventType: event.type });
    const meant = targetStatusOf(event.type);
    if (next !== undefined) status = next;
    // A stray lookup or outcome after the order is known does not put it back in flight.
    else if (meant !== undefined && meant !== 'SUBMITTING') status = meant;
    if (event.type === 'Submitted') exchangeOrderId = event.data.exchangeOrderId;
    steps.push({ index, status, exchangeOrderId });
  }
  return { steps, illegal, finalStatus: status };
}
