import {
  EXECUTION_STREAM_PREFIX,
  executionEventTime,
  executionExists,
  fromRecordedEvent,
  parseExecutionStreamName,
  replayExecution,
  type Execution,
  type ExecutionEvent,
} from '../../../domain/execution';
import type { ExecutionStatusOrNone } from '../../../domain/execution/executionStatus';
import {
  runExecutionInvariants,
  walkExecutionHistory,
  type ExecutionHistory,
  type ExecutionInvariant,
} from '../../../domain/invariants';
import type { RecordedEvent } from '../../../domain/ports/eventStore';
import { recordedBy, type AsOf } from './asOf';
import { keyFieldsOf, type KeyFields } from './describeExecutionEvent';

/** What a check found: an invariant of the domain, an event that fails its schema, or a replay that threw. */
export type FindingCheck = ExecutionInvariant | 'readable_events' | 'replay';

export interface StreamFinding {
  readonly check: FindingCheck;
  readonly clientOrderId: string;
  readonly message: string;
}

export interface TimelineRow {
  /** The global position as humans see it (the `prepare` part). */
  readonly position: bigint;
  readonly revision: bigint;
  readonly recordedAt: string;
  /** The time the event itself reports (`null` when it cannot be read). */
  readonly at: string | null;
  readonly type: string;
  readonly fields: KeyFields;
  readonly statusAfter: ExecutionStatusOrNone;
  /** Not allowed by the transition table in the status before it. */
  readonly illegal: boolean;
  /** Why the event could not be read (schema), or `null`. */
  readonly unreadable: string | null;
  /** The event's data and metadata exactly as stored (the metadata's `actor` says who caused it). */
  readonly data: Record<string, unknown>;
  readonly metadata: Record<string, unknown>;
}

export interface ExecutionReplay {
  readonly clientOrderId: string;
  readonly streamId: string;
  readonly rows: readonly TimelineRow[];
  /** The readable events up to the as-of cut: what the invariants check. */
  readonly history: ExecutionHistory;
  readonly finalStatus: ExecutionStatusOrNone;
  /** The fold of the history; `null` when there is none or replay failed. */
  readonly state: Execution | null;
  readonly replayError: string | null;
  readonly unreadable: readonly StreamFinding[];
  /** Events in the stream, including those after the as-of cut. */
  readonly totalEvents: number;
}

/** The clientOrderId of an execution stream; a malformed name keeps its raw suffix so the checks can name it. */
export function clientOrderIdOfStream(streamId: string): string {
  return parseExecutionStreamName(streamId) ?? streamId.slice(EXECUTION_STREAM_PREFIX.length);
}

/** The key fields with the event's `actor` (metadata: who caused it, e.g. `trader:<key name or id>`). */
function withActor(fields: KeyFields, metadata: Record<string, unknown>): KeyFields {
  const actor = metadata['actor'];
  return typeof actor === 'string' ? { ...fields, actor } : fields;
}

/** One stream's events → its timeline, status after each event, and final state (never throws). */
export function buildExecutionReplay(
  streamId: string,
  recorded: readonly RecordedEvent[],
  asOf?: AsOf,
): ExecutionReplay {
  const clientOrderId = clientOrderIdOfStream(streamId);
  const included = recorded.filter((event) => recordedBy(event, asOf));
  const parsed = included.map(
    (event): { recorded: RecordedEvent; event: ExecutionEvent | null; error: string | null } => {
      try {
        return { recorded: event, event: fromRecordedEvent(event), error: null };
      } catch (error) {
        return { recorded: event, event: null, error: (error as Error).message };
      }
    },
  );
  const events = parsed.flatMap((item) => (item.event === null ? [] : [item.event]));
  const history: ExecutionHistory = { clientOrderId, events };
  const walk = walkExecutionHistory(history);
  const illegalIndexes = new Set(walk.illegal.map((step) => step.index));

  const rows: TimelineRow[] = [];
  const unreadable: StreamFinding[] = [];
  let readableIndex = 0;
  let status: ExecutionStatusOrNone = 'NONE';
  for (const item of parsed) {
    const base = {
      position: item.recorded.position.prepare,
      revision: item.recorded.revision,
      recordedAt: item.recorded.createdAt.toISOString(),
      type: item.recorded.type,
      data: item.recorded.data,
      metadata: item.recorded.metadata,
    };
    if (item.event === null) {
      const message = `event at revision ${item.recorded.revision} (${item.recorded.type}) is unreadable: ${item.error}`;
      unreadable.push({ check: 'readable_events', clientOrderId, message });
      rows.push({
        ...base,
        at: null,
        fields: {},
        statusAfter: status,
        illegal: false,
        unreadable: item.error,
      });
      continue;
    }
    status = walk.steps[readableIndex]?.status ?? status;
    rows.push({
      ...base,
      at: executionEventTime(item.event),
      fields: withActor(keyFieldsOf(item.event), item.recorded.metadata),
      statusAfter: status,
      illegal: illegalIndexes.has(readableIndex),
      unreadable: null,
    });
    readableIndex += 1;
  }

  let state: Execution | null = null;
  let replayError: string | null = null;
  try {
    const folded = replayExecution(events);
    state = executionExists(folded) ? folded : null;
  } catch (error) {
    replayError = (error as Error).message;
  }
  return {
    clientOrderId,
    streamId,
    rows,
    history,
    finalStatus: walk.finalStatus,
    state,
    replayError,
    unreadable,
    totalEvents: recorded.length,
  };
}

export interface ReplayCheckOptions {
  readonly nowMs: number;
  readonly staleSubmittingAfterMs: number;
}

/**
 * The domain's invariants over a set of replays (per stream and across them), plus what the domain
 * cannot see: unreadable events, and a replay that threw while no invariant explains why.
 */
export function checkReplays(
  replays: readonly ExecutionReplay[],
  options: ReplayCheckOptions,
): StreamFinding[] {
  const findings: StreamFinding[] = replays.flatMap((replay) => replay.unreadable);
  findings.push(
    ...runExecutionInvariants(
      replays.map((replay) => replay.history),
      { nowMs: options.nowMs, staleSubmittingAfterMs: options.staleSubmittingAfterMs },
    ).map((violation) => ({
      check: violation.invariant,
      clientOrderId: violation.clientOrderId,
      message: violation.message,
    })),
  );
  const explained = new Set(findings.map((finding) => finding.clientOrderId));
  for (const replay of replays) {
    if (replay.replayError !== null && !explained.has(replay.clientOrderId)) {
      findings.push({ check: 'replay', clientOrderId: replay.clientOrderId, message: replay.replayError });
    }
  }
  return findings;
}
