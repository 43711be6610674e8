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
