import fc from 'fast-check';
import type pg from 'pg';
import { PostgresEventStore } from '../../src/adapters/eventstore/postgres/postgresEventStore';
import { executionStreamName, toEventToAppend, type ExecutionEvent } from '../../src/domain/execution';
import type { AppendResult, EventStore, GlobalPosition } from '../../src/domain/ports/eventStore';
import type { GeneratedHistory } from '../support/arbitraries/executionHistory';

/** Read-model tables a test resets between property runs (the events table too). */
export const PROJECTION_TABLES = [
  'events',
  'trade_executions',
  'execution_events',
  'user_execution_stats',
  'user_policies',
  'projection_checkpoints',
];

export async function resetTables(pool: pg.Pool): Promise<void> {
  await pool.query(`TRUNCATE ${PROJECTION_TABLES.join(', ')}`);
}

export function newStore(pool: pg.Pool): PostgresEventStore {
  return new PostgresEventStore(pool, { pollIntervalMs: 50 });
}

/**
 * Appends the histories' events one at a time, interleaved across executions in the order `order`
 * gives (a list of history indexes, each repeated once per event); returns the last position.
 */
export async function appendInterleaved(
  store: EventStore,
  histories: readonly GeneratedHistory[],
  order?: readonly number[],
  /** Events of each history already appended; updated (pass the same array to continue later). */
  next: number[] = histories.map(() => 0),
): Promise<GlobalPosition | undefined> {
  const sequence = order ?? histories.flatMap((history, index) => history.events.map(() => index));
  let last: AppendResult | undefined;
  for (const index of sequence) {
    const history = histories[index];
    if (!history) continue;
    const eventIndex = next[index] ?? 0;
    const event = history.events[eventIndex];
    if (!event) continue;
    next[index] = eventIndex + 1;
    last = await appendEvent(store, history.clientOrderId, event, eventIndex);
  }
  return last?.position;
}

export function appendEvent(
  store: EventStore,
  clientOrderId: string,
  event: ExecutionEvent,
  revision: number,
) {
  return store.appendToStream(executionStreamName(clientOrderId), [toEventToAppend(event)], {
    expectedRevision: revision === 0 ? 'no_stream' : BigInt(revision - 1),
  });
}

/** A random interleaving of the histories' events (each history's own order kept). */
export function interleavingArb(histories: readonly GeneratedHistory[]): fc.Arbitrary<number[]> {
  const slots = histories.flatMap((history, index) => history.events.map(() => index));
  return fc.shuffledSubarray(slots, { minLength: slots.length, maxLength: slots.length });
}

/** Every row of a table, ordered, as comparable JSON text (for "same tables" assertions). */
export async function tableSnapshot(pool: pg.Pool, table: string, orderBy: string): Promise<string[]> {
  const result = await pool.query<{ row: string }>(
    `SELECT row_to_json(t)::text AS row FROM ${table} t ORDER BY ${orderBy}`,
  );
  return result.rows.map((row) => row.row);
}

export async function readModelSnapshot(pool: pg.Pool, suffix = '') {
  return {
    trade_executions: await tableSnapshot(pool, `trade_executions${suffix}`, 'client_order_id'),
    execution_events: await tableSnapshot(pool, `execution_events${suffix}`, 'execution_id, stream_revision'),
    user_execution_stats: await tableSnapshot(pool, `user_execution_stats${suffix}`, 'user_id'),
  };
}

/** Appends one user's policy events (the fixtures' user id replaced by `userId`). */
export async function appendPolicyEvents(
  store: EventStore,
  userId: string,
  events: readonly { type: string; data: object }[],
): Promise<GlobalPosition> {
  const result = await store.appendToStream(
    `user-policy-${userId}`,
    events.map((event) => ({ type: event.type, data: { ...event.data, userId } })),
    { expectedRevision: 'any' },
  );
  return result.position;
}

/**
 * Waits until readers of the global order can see `position`: a transaction open anywhere in the
 * cluster (another test's) holds the visibility horizon back for a moment.
 */
export async function waitUntilReadable(
  store: EventStore,
  position: GlobalPosition,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const page = await store.readAll({
      after: { commit: position.commit, prepare: position.prepare - 1n },
      maxCount: 1,
    });
    if (page.events.length > 0) return;
    if (Date.now() > deadline)
      throw new Error(`position ${position.commit}/${position.prepare} never became readable`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
