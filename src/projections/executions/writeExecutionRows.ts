import type pg from 'pg';
import { EXECUTION_STREAM_PREFIX } from '../../domain/execution';
import type { GlobalPosition } from '../../domain/ports/eventStore';
import { copyRows, ensureStagingTable } from '../pgCopy';
import type { TableSet } from '../projection';
import { columnList, recordsetDefinition, rowsToJson, type ColumnTypes } from '../sqlColumns';
import { EXECUTION_EVENT_COLUMNS, type ExecutionEventRow } from './executionEventRow';
import { TRADE_EXECUTION_COLUMNS, type TradeExecutionRow } from './tradeExecutionRow';
import {
  COUNTER_NAMES,
  USER_EXECUTION_STATS_COLUMNS,
  type UserExecutionStatsRow,
} from './userExecutionStatsRow';

/*
 * Multi-row writes: one statement per table per batch, however many rows. Small batches (the live
 * projection) travel as one JSON parameter unpacked by json_to_recordset; large ones (a rebuild) are
 * COPYed into a session staging table first, which PostgreSQL parses several times faster.
 */
const COPY_THRESHOLD_ROWS = 200;

const EXECUTION_UPDATES = Object.keys(TRADE_EXECUTION_COLUMNS)
  .filter((column) => column !== 'client_order_id')
  .map((column) => `${column} = EXCLUDED.${column}`)
  .join(', ');

/** The rows as a relation: `json_to_recordset($1)` with its parameter, or a staging table filled by COPY. */
async function rowSource<Row extends object>(
  client: pg.ClientBase,
  stagingName: string,
  columns: ColumnTypes<Row>,
  rows: readonly Row[],
): Promise<{ from: string; params: unknown[]; after?: string }> {
  const staging = stagingTableOf(client, stagingName);
  if (rows.length < COPY_THRESHOLD_ROWS || staging === undefined) {
    return {
      from: `json_to_recordset($1::json) AS x(${recordsetDefinition(columns)})`,
      params: [rowsToJson(rows)],
    };
  }
  await copyRows(client, staging, columns, rows);
  // Emptied right after use: a transaction may write several batches (a rebuild's swap).
  return { from: `${staging} AS x`, params: [], after: `DELETE FROM ${staging}` };
}

const STAGING_TABLES: Readonly<Record<string, ColumnTypes<object>>> = {
  stage_trade_executions: TRADE_EXECUTION_COLUMNS,
  stage_execution_events: EXECUTION_EVENT_COLUMNS,
};
const stagedSessions = new WeakMap<pg.ClientBase, Set<string>>();

function stagingTableOf(client: pg.ClientBase, name: string): string | undefined {
  return stagedSessions.get(client)?.has(name) ? `pg_temp.${name}` : undefined;
}

/**
 * Creates this session's staging tables (outside a transaction, so a rollback cannot take them away)
 * and enables COPY for the large batches written on this connection. Without it, writes use JSON.
 */
export async function prepareStagingTables(client: pg.ClientBase): Promise<void> {
  const created = new Set<string>();
  for (const [name, columns] of Object.entries(STAGING_TABLES)) {
    await ensureStagingTable(client, name, columns);
    created.add(name);
  }
  stagedSessions.set(client, created);
}

/** Upsert keyed by client_order_id; a row only ever moves forward in stream revision. */
export async function writeTradeExecutions(
  client: pg.ClientBase,
  tables: TableSet,
  rows: readonly TradeExecutionRow[],
  /** Executions whose first event is in this batch: no row can exist for them yet. */
  newRows: readonly TradeExecutionRow[] = [],
): Promise<void> {
  const table = tables.table('trade_executions');
  let upserts = rows;
  if (newRows.length >= COPY_THRESHOLD_ROWS && stagingTableOf(client, 'stage_trade_executions')) {
    // Straight into the table: no staging pass, no conflict check (a duplicate fails the batch loudly).
    await copyRows(client, table, TRADE_EXECUTION_COLUMNS, newRows);
  } else {
    upserts = [...rows, ...newRows];
  }
  if (upserts.length === 0) return;
  const columns = columnList(TRADE_EXECUTION_COLUMNS);
  const source = await rowSource(client, 'stage_trade_executions', TRADE_EXECUTION_COLUMNS, upserts);
  await client.query(
    `INSERT INTO ${table} AS t (${columns})
     SELECT ${columns} FROM ${source.from}
     ON CONFLICT (client_order_id) DO UPDATE SET ${EXECUTION_UPDATES}
     WHERE t.stream_revision < EXCLUDED.stream_revision`,
    source.params,
  );
  if (source.after) await client.query(source.after);
}

/**
 * Appends to the audit log; an event already there (same execution and revision: the primary key,
 * the table's only unique index) is left alone. No conflict target is named, so that a rebuild may
 * fill a fresh audit log before it has its key (ProjectionDefinition.keysAfterLoad).
 */
export async function writeExecutionEvents(
  client: pg.ClientBase,
  tables: TableSet,
  rows: readonly ExecutionEventRow[],
): Promise<void> {
  if (rows.length === 0) return;
  const columns = columnList(EXECUTION_EVENT_COLUMNS);
  const source = await rowSource(client, 'stage_execution_events', EXECUTION_EVENT_COLUMNS, rows);
  await client.query(
    `INSERT INTO ${tables.table('execution_events')} (${columns})
     SELECT ${columns} FROM ${source.from}
     ON CONFLICT DO NOTHING`,
    source.params,
  );
  if (source.after) await client.query(source.after);
}

/** The events of one batch, named by position, for a server-side copy out of the `events` table. */
export interface AuditCopyRange {
  readonly after: GlobalPosition | undefined;
  readonly last: GlobalPosition;
  /** The streams' prefix: every event of the range with it was read into the batch. */
  readonly prefix: string;
  /**
   * The global positions (prepare) of the events the fold applied, when it skipped some of the
   * batch; `null` when it applied them all (the range and prefix then name exactly those).
   */
  readonly positions: readonly string[] | null;
}

/**
 * The audit log straight from the PostgreSQL store's `events` table in the same database: the same
 * rows the generic path writes (execution id = the stream's clientOrderId, created_at = the event's
 * own time as executionEventTime reads it), without sending every event back over the wire. Only
 * the events the fold applied (by position) are copied, so the fold's validation still guards it.
 */
export async function copyExecutionEventsFromStore(
  client: pg.ClientBase,
  tables: TableSet,
  range: AuditCopyRange,
): Promise<void> {
  if (range.positions !== null && range.positions.length === 0) return;
  const columns = columnList(EXECUTION_EVENT_COLUMNS);
  await client.query(
    `INSERT INTO ${tables.table('execution_events')} (${columns})
     SELECT substr(e.stream_id, ${EXECUTION_STREAM_PREFIX.length + 1}), e.stream_revision, e.event_id,
            e.transaction_id::text::numeric, e.global_position, e.event_type, e.data, e.metadata,
            (CASE e.event_type WHEN 'ExecutionSubmitting' THEN e.data->>'submittingAt'
                               WHEN 'ExecutionRejected' THEN e.data->>'rejectedAt'
                               ELSE e.data->>'at' END)::timestamptz,
            -- Milliseconds, as a RecordedEvent's createdAt (a JS Date) carries it on the generic path.
            date_trunc('milliseconds', e.created_at)
       FROM events e
      WHERE (e.transaction_id, e.global_position) > ($1::xid8, $2::bigint)
        AND (e.transaction_id, e.global_position) <= ($3::xid8, $4::bigint)
        -- Not starts_with: that is indexable, and with stale statistics the planner then scans every
        -- execution stream in the (stream_id, stream_revision) index (measured: 4 ms for 40 rows).
        AND left(e.stream_id, length($5::text)) = $5::text
        AND ($6::bigint[] IS NULL OR e.global_position = ANY($6::bigint[]))
     ON CONFLICT DO NOTHING`,
    [
      // Both bounds always set (no "IS NULL OR"), so the plan is an index range scan.
      range.after ? range.after.commit.toString() : '0',
      range.after ? range.after.prepare.toString() : '-1',
      range.last.commit.toString(),
      range.last.prepare.toString(),
      range.prefix,
      range.positions,
    ],
  );
}

const COUNTER_INCREMENTS = COUNTER_NAMES.map((name) => `${name} = s.${name} + x.${name}`).join(', ');

/**
 * Adds each user's change to their counters. Exactly once per event: it runs in the checkpoint's
 * transaction, after the events at or before the checkpoint were dropped.
 *
 * Existing users are updated and only new users inserted: a change alone may break the table's CHECK
 * (an acknowledgement adds 1 to `successful` in a later batch than the intent that added 1 to
 * `executions_past_gates`), and PostgreSQL checks an INSERT's proposed row even when ON CONFLICT would
 * turn it into an update. One projection writer at a time, so nothing comes in between.
 */
export async function writeUserStatsDeltas(
  client: pg.ClientBase,
  tables: TableSet,
  rows: readonly UserExecutionStatsRow[],
): Promise<void> {
  if (rows.length === 0) return;
  const table = tables.table('user_execution_stats');
  const columns = columnList(USER_EXECUTION_STATS_COLUMNS);
  const recordset = `json_to_recordset($1::json) AS x(${recordsetDefinition(USER_EXECUTION_STATS_COLUMNS)})`;
  const json = rowsToJson(rows);
  await client.query(
    `UPDATE ${table} AS s SET ${COUNTER_INCREMENTS}, updated_at = greatest(s.updated_at, x.updated_at)
       FROM ${recordset} WHERE s.user_id = x.user_id`,
    [json],
  );
  await client.query(
    `INSERT INTO ${table} (${columns})
     SELECT ${columns} FROM ${recordset}
      WHERE NOT EXISTS (SELECT 1 FROM ${table} AS s WHERE s.user_id = x.user_id)`,
    [json],
  );
}
