import { ExecutionError } from './executionErrors';
import type { ExecutionEvent } from './executionEvents';
import { initialExecutionState, type ExecutionState } from './executionState';
import { evolveExecution } from './evolveExecution';

/** Replay stopped at an event it could not apply; `code` is the underlying error's code. */
export class ExecutionReplayFailed extends ExecutionError {
  override readonly name = 'ExecutionReplayFailed';
  constructor(
    readonly eventIndex: number,
    readonly eventType: string,
    override readonly cause: ExecutionError,
  ) {
    super(
      cause.code,
      `replay failed at event #${eventIndex} (${eventType}): ${cause.message}`,
      cause.clientOrderId,
    );
  }
}

/** Folds a whole history from the start. Fails loudly (throws) on the first event the table refuses. */
export function replayExecution(
  events: readonly ExecutionEvent[],
  from: ExecutionState = initialExecutionState(),
) {
  let state = from;
  for (const [index, event] of events.entries()) {
    try {
      state = evolveExecution(state, event);
    } catch (error) {
      if (error instanceof ExecutionError) throw new ExecutionReplayFailed(index, event.type, error);
      throw error;
    }
  }
  return state;
}
