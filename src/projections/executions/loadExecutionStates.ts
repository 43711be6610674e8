import type pg from 'pg';
import {
  evolveExecution,
  fromRecordedEvent,
  initialExecutionState,
  type ExecutionState,
} from '../../domain/execution';
import { ProjectionError, type TableSet } from '../projection';

interface AuditRow {
  execution_id: string;
  stream_revision: string;
  event_type: string;
  data: Record<string, unknown>;
}

/**
 * Rebuilds the states of some executions from the audit log, in the same transaction (so exactly as
 * of the checkpoint). Used when a state is not in the cache: after a restart, or after eviction.
 */
export async function loadExecutionStates(
  client: pg.ClientBase | pg.Pool,
  tables: TableSet,
  clientOrderIds: readonly string[],
  projection: string,
): Promise<Map<string, ExecutionState>> {
  const result = await client.query<AuditRow>(
    `SELECT execution_id, stream_revision, event_type, data FROM ${tables.table('execution_events')}
      WHERE execution_id = ANY($1::text[]) ORDER BY execution_id, stream_revision`,
    [clientOrderIds],
  );
  const states = new Map<string, ExecutionState>();
  for (const row of result.rows) {
    const state = states.get(row.execution_id) ?? initialExecutionState();
    if (BigInt(row.stream_revision) !== BigInt(state.version)) {
      throw new ProjectionError(
        'PROJECTION_INCONSISTENT',
        `execution ${row.execution_id}: the audit log has revision ${row.stream_revision} after ${state.version} events`,
        projection,
      );
    }
    states.set(
      row.execution_id,
      evolveExecution(state, fromRecordedEvent({ type: row.event_type, data: row.data })),
    );
  }
  return states;
}

interface StoreRow {
  stream_id: string;
  stream_revision: string;
  event_type: string;
  data: Record<string, unknown>;
}

/**
 * The states of some executions before the given stream revisions, folded from the PostgreSQL
 * store's own `events` table (in the same database): for a rebuild's pipeline, whose fresh audit log
 * has no index yet while it fills (see keysAfterLoad), and which has folded exactly the events below
 * those revisions. Reads through the store's unique (stream, revision) index.
 */
export async function loadExecutionStatesFromStore(
  db: pg.ClientBase | pg.Pool,
  streamPrefix: string,
  before: ReadonlyMap<string, bigint>,
  projection: string,
): Promise<Map<string, ExecutionState>> {
  const ids = [...before.keys()];
  const result = await db.query<StoreRow>(
    `SELECT e.stream_id, e.stream_revision, e.event_type, e.data
       FROM unnest($1::text[], $2::bigint[]) AS m(stream_id, before)
       JOIN events e ON e.stream_id = m.stream_id AND e.stream_revision < m.before
      ORDER BY e.stream_id, e.stream_revision`,
    [ids.map((id) => `${streamPrefix}${id}`), ids.map((id) => before.get(id)!.toString())],
  );
  const states = new Map<string, ExecutionState>();
  for (const row of result.rows) {
    const clientOrderId = row.stream_id.slice(streamPrefix.length);
    const state = states.get(clientOrderId) ?? initialExecutionState();
    if (BigInt(row.stream_revision) !== BigInt(state.version)) {
      throw new ProjectionError(
        'PROJECTION_INCONSISTENT',
        `execution ${clientOrderId}: the store has revision ${row.stream_revision} after ${state.version} events`,
        projection,
      );
    }
    states.set(
      clientOrderId,
      evolveExecution(state, fromRecordedEvent({ type: row.event_type, data: row.data })),
    );
  }
  return states;
}
