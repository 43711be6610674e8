import {
  executionStreamName,
  fromRecordedEvent,
  initialExecutionState,
  replayExecution,
  toEventToAppend,
  type ExecutionEvent,
  type ExecutionState,
} from '../../domain/execution';
import type { AppendResult, EventStore, RecordedEvent } from '../../domain/ports/eventStore';
import { orUnavailable } from '../errors';
import { readStreamEvents } from '../streams/readStreamEvents';

export interface LoadedExecution {
  readonly state: ExecutionState;
  /** The stream as stored (for the API's event timeline). */
  readonly recorded: readonly RecordedEvent[];
}

/** Who caused an append, kept in the events' metadata for the audit log. */
export interface AppendContext {
  readonly actor?: string;
  readonly requestId?: string;
}

/**
 * The `execution-<clientOrderId>` streams: load = read + validate (zod, upcast) + replay; append =
 * validate + append with an expected revision (the caller's optimistic lock).
 */
export class ExecutionRepository {
  constructor(readonly store: EventStore) {}

  async load(clientOrderId: string): Promise<LoadedExecution> {
    return loadedFrom(await readStreamEvents(this.store, executionStreamName(clientOrderId)));
  }

  async append(
    clientOrderId: string,
    events: readonly ExecutionEvent[],
    expectedRevision: 'no_stream' | bigint,
    context: AppendContext = {},
  ): Promise<AppendResult> {
    const metadata: Record<string, unknown> = {};
    if (context.actor !== undefined) metadata['actor'] = context.actor;
    if (context.requestId !== undefined) metadata['requestId'] = context.requestId;
    const toAppend = events.map((event) => ({ ...toEventToAppend(event), metadata }));
    return orUnavailable(() =>
      this.store.appendToStream(executionStreamName(clientOrderId), toAppend, { expectedRevision }),
    );
  }
}

/** The execution a whole stream's events make (validated, upcast and replayed). */
export function loadedFrom(recorded: readonly RecordedEvent[]): LoadedExecution {
  if (recorded.length === 0) return { state: initialExecutionState(), recorded };
  return { state: replayExecution(recorded.map((event) => fromRecordedEvent(event))), recorded };
}

/** The state after `events` were appended on top of `state` (they were checked by the decider). */
export function stateAfter(state: ExecutionState, events: readonly ExecutionEvent[]): ExecutionState {
  return events.length === 0 ? state : replayExecution(events, state);
}
