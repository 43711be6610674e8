import type pg from 'pg';
import {
  EXECUTION_STREAM_PREFIX,
  fromRecordedEvent,
  initialExecutionState,
  isTerminalStatus,
  parseExecutionStreamName,
  replayExecution,
  type Execution,
  type ExecutionEvent,
  type ExecutionState,
} from '../../domain/execution';
import type { EventStore, GlobalPosition, RecordedEvent } from '../../domain/ports/eventStore';
import type { Checkpoint } from '../checkpoints';
import { EXECUTION_EVENT_COLUMNS, executionEventRow } from '../executions/executionEventRow';
import { EXECUTIONS_PROJECTION } from '../executions/executionsProjection';
import { TRADE_EXECUTION_COLUMNS, tradeExecutionRow } from '../executions/tradeExecutionRow';
import {
  addDelta,
  contributionOf,
  USER_EXECUTION_STATS_COLUMNS,
  zeroContribution,
  type UserExecutionStatsRow,
} from '../executions/userExecutionStatsRow';
import type { TableSet } from '../projection';
import { compareRow, VERIFY_TYPES } from './compareRows';
import { CursorReader } from './cursorReader';
import type { DriftCollector } from './drift';
import { readEventsUpTo } from './readEventsUpTo';

const COMPARE_BATCH = 1_000;

interface Tracked {
  state: ExecutionState;
  position: GlobalPosition;
  failed: boolean;
}

interface AuditDbRow extends Record<string, unknown> {
  execution_id: string;
  stream_revision: string;
  commit_position: string;
  global_position: string;
}

function positionOfRow(row: AuditDbRow): GlobalPosition {
  return { commit: BigInt(row.commit_position), prepare: BigInt(row.global_position) };
}

function compare(a: GlobalPosition, b: GlobalPosition): number {
  return a.commit === b.commit ? Number(a.prepare - b.prepare) : a.commit < b.commit ? -1 : 1;
}

export interface VerifyExecutionsInput {
  readonly client: pg.ClientBase;
  readonly store: EventStore;
  readonly tables: TableSet;
  readonly checkpoint: Checkpoint;
  readonly drifts: DriftCollector;
}

/**
 * Replays every execution stream up to the projection's checkpoint with the domain's replayExecution
 * and compares trade_executions, the audit log and user_execution_stats with it, row by row and
 * field by field. Runs inside the caller's REPEATABLE READ transaction. Returns the events replayed.
 */
export async function verifyExecutions(
  input: VerifyExecutionsInput,
): Promise<{ events: number; rows: number }> {
  const { client, tables, drifts } = input;
  const projection = EXECUTIONS_PROJECTION;
  const executionsTable = tables.table('trade_executions');
  const auditTable = tables.table('execution_events');
  const statsTable = tables.table('user_execution_stats');
  const audit = new CursorReader<AuditDbRow>(
    client,
    `SELECT * FROM ${auditTable} ORDER BY commit_position, global_position`,
    [],
    undefined,
    VERIFY_TYPES,
  );
  const tracked = new Map<string, Tracked>();
  const seen = new Set<string>();
  const userTotals = new Map<string, UserExecutionStatsRow>();
  let finished: { clientOrderId: string; state: Execution; position: GlobalPosition }[] = [];
  let events = 0;
  let rows = 0;

  const compareFinished = async () => {
    if (finished.length === 0) return;
    const batch = finished;
    finished = [];
    const found = await client.query<Record<string, unknown> & { client_order_id: string }>({
      text: `SELECT * FROM ${executionsTable} WHERE client_order_id = ANY($1::text[])`,
      values: [batch.map((item) => item.clientOrderId)],
      types: VERIFY_TYPES,
    });
    const byId = new Map(found.rows.map((row) => [row.client_order_id, row]));
    for (const item of batch) {
      rows++;
      const base = { projection, table: executionsTable, key: item.clientOrderId };
      const actual = byId.get(item.clientOrderId);
      if (!actual) drifts.add({ ...base, kind: 'missing_row' });
      else
        for (const drift of compareRow(
          base,
          TRADE_EXECUTION_COLUMNS,
          tradeExecutionRow(item.state, item.position),
          actual,
        ))
          drifts.add(drift);
      let total = userTotals.get(item.state.userId);
      if (!total) {
        total = { user_id: item.state.userId, ...zeroContribution(), updated_at: item.state.updatedAt };
        userTotals.set(item.state.userId, total);
      }
      addDelta(total, zeroContribution(), contributionOf(item.state));
      if (Date.parse(item.state.updatedAt) > Date.parse(total.updated_at))
        total.updated_at = item.state.updatedAt;
    }
  };

  const finish = (clientOrderId: string, entry: Tracked) => {
    tracked.delete(clientOrderId);
    if (!entry.failed && entry.state.status !== 'NONE') {
      finished.push({ clientOrderId, state: entry.state as Execution, position: entry.position });
    }
  };

  const compareAudit = async (
    clientOrderId: string,
    recorded: RecordedEvent,
    event: ExecutionEvent | null,
  ) => {
    const key = `${clientOrderId}#${recorded.revision}`;
    for (;;) {
      const row = await audit.peek();
      if (row === undefined || compare(positionOfRow(row), recorded.position) > 0) {
        drifts.add({ projection, table: auditTable, key, kind: 'missing_row' });
        return;
      }
      await audit.next();
      if (compare(positionOfRow(row), recorded.position) < 0) {
        drifts.add({
          projection,
          table: auditTable,
          key: `${row.execution_id}#${row.stream_revision}`,
          kind: 'extra_row',
        });
        continue;
      }
      if (event) {
        const expected = executionEventRow(clientOrderId, recorded, event);
        for (const drift of compareRow(
          { projection, table: auditTable, key },
          EXECUTION_EVENT_COLUMNS,
          expected,
          row,
        )) {
          drifts.add(drift);
        }
      }
      return;
    }
  };

  for await (const page of readEventsUpTo(
    input.store,
    [EXECUTION_STREAM_PREFIX],
    input.checkpoint.position,
  )) {
    for (const recorded of page) {
      const clientOrderId = parseExecutionStreamName(recorded.streamId);
      if (clientOrderId === null) continue;
      events++;
      seen.add(clientOrderId);
      const entry = tracked.get(clientOrderId) ?? {
        state: initialExecutionState(),
        position: recorded.position,
        failed: false,
      };
      tracked.set(clientOrderId, entry);
      let event: ExecutionEvent | null = null;
      if (!entry.failed) {
        try {
          event = fromRecordedEvent(recorded);
          entry.state = replayExecution([event], entry.state);
          entry.position = recorded.position;
        } catch (error) {
          entry.failed = true;
          drifts.add({
            projection,
            table: 'streams',
            key: recorded.streamId,
            kind: 'replay_failed',
            message: `event #${recorded.revision} (${recorded.type}): ${(error as Error).message}`,
          });
        }
      }
      await compareAudit(clientOrderId, recorded, event);
      if (!entry.failed && isTerminalStatus(entry.state.status)) finish(clientOrderId, entry);
    }
    if (finished.length >= COMPARE_BATCH) await compareFinished();
  }
  for (const [clientOrderId, entry] of [...tracked]) {
    finish(clientOrderId, entry);
    if (finished.length >= COMPARE_BATCH) await compareFinished();
  }
  await compareFinished();
  for (let row = await audit.next(); row !== undefined; row = await audit.next()) {
    drifts.add({
      projection,
      table: auditTable,
      key: `${row.execution_id}#${row.stream_revision}`,
      kind: 'extra_row',
    });
  }
  await audit.close();

  const ids = new CursorReader<{ client_order_id: string }>(
    client,
    `SELECT client_order_id FROM ${executionsTable}`,
  );
  for (let row = await ids.next(); row !== undefined; row = await ids.next()) {
    if (!seen.has(row.client_order_id)) {
      drifts.add({ projection, table: executionsTable, key: row.client_order_id, kind: 'extra_row' });
    }
  }
  await ids.close();

  const stats = await client.query<Record<string, unknown> & { user_id: string }>({
    text: `SELECT * FROM ${statsTable}`,
    types: VERIFY_TYPES,
  });
  const statsById = new Map(stats.rows.map((row) => [row.user_id, row]));
  for (const [userId, expected] of userTotals) {
    const base = { projection, table: statsTable, key: userId };
    const actual = statsById.get(userId);
    if (!actual) drifts.add({ ...base, kind: 'missing_row' });
    else
      for (const drift of compareRow(base, USER_EXECUTION_STATS_COLUMNS, expected, actual)) drifts.add(drift);
    statsById.delete(userId);
  }
  for (const userId of statsById.keys())
    drifts.add({ projection, table: statsTable, key: userId, kind: 'extra_row' });
  return { events, rows: rows + userTotals.size };
}
