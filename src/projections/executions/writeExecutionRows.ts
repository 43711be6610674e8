import type pg from 'pg';
import type { TableSet } from '../projection';
import { columnList, recordsetDefinition, rowsToJson } from '../sqlColumns';
import { EXECUTION_EVENT_COLUMNS, type ExecutionEventRow } from './executionEventRow';
import { TRADE_EXECUTION_COLUMNS, type TradeExecutionRow } from './tradeExecutionRow';
import {
  COUNTER_NAMES,
  USER_EXECUTION_STATS_COLUMNS,
  type UserExecutionStatsRow,
} from './userExecutionStatsRow';

/*
 * Multi-row writes: a whole batch travels as one JSON parameter and is unpacked by
 * json_to_recordset, so a batch costs one round trip per table however many rows it has.
 */

const EXECUTION_UPDATES = Object.keys(TRADE_EXECUTION_COLUMNS)
  .filter((column) => column !== 'client_order_id')
  .map((column) => `${column} = EXCLUDED.${column}`)
  .join(', ');

/** Upsert keyed by client_order_id; a row only ever moves forward in stream revision. */
export async function writeTradeExecutions(
  client: pg.ClientBase,
  tables: TableSet,
  rows: readonly TradeExecutionRow[],
): Promise<void> {
  if (rows.length === 0) return;
  const table = tables.table('trade_executions');
  const columns = columnList(TRADE_EXECUTION_COLUMNS);
  await client.query(
    `INSERT INTO ${table} AS t (${columns})
     SELECT ${columns} FROM json_to_recordset($1::json) AS x(${recordsetDefinition(TRADE_EXECUTION_COLUMNS)})
     ON CONFLICT (client_order_id) DO UPDATE SET ${EXECUTION_UPDATES}
     WHERE t.stream_revision < EXCLUDED.stream_revision`,
    [rowsToJson(rows)],
  );
}

/** Appends to the audit log; an event already there (same execution and revision) is left alone. */
export async function writeExecutionEvents(
  client: pg.ClientBase,
  tables: TableSet,
  rows: readonly ExecutionEventRow[],
): Promise<void> {
  if (rows.length === 0) return;
  const columns = columnList(EXECUTION_EVENT_COLUMNS);
  await client.query(
    `INSERT INTO ${tables.table('execution_events')} (${columns})
     SELECT ${columns} FROM json_to_recordset($1::json) AS x(${recordsetDefinition(EXECUTION_EVENT_COLUMNS)})
     ON CONFLICT (execution_id, stream_revision) DO NOTHING`,
    [rowsToJson(rows)],
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
