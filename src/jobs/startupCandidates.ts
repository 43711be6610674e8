import type pg from 'pg';
import { EXECUTION_STREAM_PREFIX, parseExecutionStreamName } from '../domain/execution';
import type { EventStore } from '../domain/ports/eventStore';
import { readCheckpoint, subscribeAfter } from '../projections/checkpoints';
import { EXECUTIONS_PROJECTION } from '../projections/executions/executionsProjection';
import { listSubmitting, MAX_LISTED } from './inFlightExecutions';

/** Events of the not-yet-projected tail read at start-up, at most. */
export const MAX_TAIL_EVENTS = 10_000;

/** The last event of a stream that leaves (or may leave) an execution SUBMITTING. */
const IN_FLIGHT_EVENT_TYPES = new Set([
  'ExecutionSubmitting',
  'SubmissionOutcomeUnknown',
  'ReconcileAttempted',
  'SubmissionRetried',
]);

export interface StartupCandidates {
  /** clientOrderIds, oldest intent first (read-model rows), then the tail's. */
  readonly clientOrderIds: string[];
  readonly fromReadModel: number;
  readonly fromTail: number;
  /** The tail was not read to its end (over MAX_TAIL_EVENTS, or the store's own read bound): the rest is left to the sweeper. */
  readonly tailTruncated: boolean;
  /** Executions found that may be SUBMITTING but beyond `maxExecutions`: left to the sweeper. */
  readonly leftToSweeper: number;
}

/**
 * Every execution that may be SUBMITTING at start-up: the read model's SUBMITTING rows, plus the
 * executions whose latest event sits in the part of the stream the projection has not applied yet
 * (the read model may lag, or no projection may be running). The reconcile service reads each stream
 * again, so a candidate that is no longer in flight costs one stream read and nothing else.
 */
export async function findStartupCandidates(
  pool: pg.Pool,
  store: EventStore,
  nowMs: number,
  maxExecutions: number,
): Promise<StartupCandidates> {
  // The checkpoint first: a projection (of any instance) may apply events between the two reads, and
  // an execution it moves into the read model after the checkpoint was read is still in the tail.
  const checkpoint = await readCheckpoint(pool, EXECUTIONS_PROJECTION);
  const listLimit = Math.min(Math.max(1, maxExecutions), MAX_LISTED);
  const rows = await listSubmitting(pool, { submittedBeforeMs: nowMs + 1, limit: listLimit });
  const ids = rows.map((row) => row.clientOrderId);
  const seen = new Set(ids);
  const after = subscribeAfter(checkpoint.position);
  const tail = await store.readAll({
    ...(after === undefined ? {} : { after }),
    maxCount: MAX_TAIL_EVENTS,
    streamPrefixes: [EXECUTION_STREAM_PREFIX],
  });
  const lastTypeByExecution = new Map<string, string>();
  for (const event of tail.events) {
    const clientOrderId = parseExecutionStreamName(event.streamId);
    if (clientOrderId !== null) lastTypeByExecution.set(clientOrderId, event.type);
  }
  let fromTail = 0;
  const tailLeft: string[] = []; // at most one per tail event: bounded by MAX_TAIL_EVENTS
  for (const [clientOrderId, type] of lastTypeByExecution) {
    if (seen.has(clientOrderId) || !IN_FLIGHT_EVENT_TYPES.has(type)) continue;
    seen.add(clientOrderId);
    if (ids.length >= maxExecutions) {
      tailLeft.push(clientOrderId);
      continue;
    }
    ids.push(clientOrderId);
    fromTail += 1;
  }
  const readModelLeft =
    rows.length < listLimit ? 0 : await countSubmittingBesides(pool, nowMs + 1, [...ids, ...tailLeft]);
  return {
    clientOrderIds: ids,
    fromReadModel: rows.length,
    fromTail,
    tailTruncated: !tail.endReached,
    leftToSweeper: readModelLeft + tailLeft.length,
  };
}

/** SUBMITTING read-model rows (intent before `submittedBeforeMs`) other than `clientOrderIds`. */
async function countSubmittingBesides(
  pool: pg.Pool,
  submittedBeforeMs: number,
  clientOrderIds: readonly string[],
): Promise<number> {
  const result = await pool.query<{ left: string }>(
    `SELECT count(*) AS left
       FROM trade_executions
      WHERE status = 'SUBMITTING' AND coalesce(submitting_at, updated_at) < $1
        AND NOT (client_order_id = ANY($2::text[]))`,
    [new Date(submittedBeforeMs).toISOString(), clientOrderIds],
  );
  return Number(result.rows[0]?.left ?? 0);
}
