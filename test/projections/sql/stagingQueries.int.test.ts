import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecutionEvent } from '../../../src/domain/execution';
import { executionsProjection } from '../../../src/projections/executions/executionsProjection';
import { ProjectionRunner } from '../../../src/projections/projectionRunner';
import { sampleEvent } from '../../support/executionFixtures';
import { createTestDatabase, type TestDatabase } from '../../support/testDatabase';
import { appendEvent, newStore } from '../projectionTestKit';

/*
 * The deployment checklist's staging queries, copied verbatim (they must run unmodified), on a data
 * set whose answers are known. Event times are relative to now, since the queries use NOW().
 */
const STALE_SUBMITTING = `SELECT COUNT(*) FROM trade_executions WHERE status = 'SUBMITTING' AND updated_at < NOW() - INTERVAL '10 minutes';`;
const DUPLICATES = `SELECT COUNT(*) FROM (SELECT bitvavo_order_id FROM trade_executions WHERE status IN ('SUBMITTED', 'FILLED') AND bitvavo_order_id IS NOT NULL GROUP BY bitvavo_order_id HAVING COUNT(*) > 1) AS dupes;`;
const EVENT_LOG = `SELECT COUNT(DISTINCT execution_id) FROM execution_events WHERE created_at > NOW() - INTERVAL '24 hours';`;
const RECOVERY_RATE = `SELECT soft_failures, total_executions, ROUND(soft_failures::float / total_executions * 100)::int AS recovery_rate_pct FROM execution_stats_24h WHERE created_at > NOW() - INTERVAL '24 hours';`;
const COLUMNS = `SELECT column_name FROM information_schema.columns WHERE table_name = 'trade_executions' AND column_name IN ('client_order_id', 'reconcile_attempts', 'submitting_at');`;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const nowMs = Date.now();
const ago = (ms: number) => new Date(nowMs - ms).toISOString();

function execution(startAgoMs: number, userId = 'user-1') {
  const clientOrderId = randomUUID();
  const events: ExecutionEvent[] = [];
  let atMs = nowMs - startAgoMs;
  const builder = {
    clientOrderId,
    events,
    submitting() {
      events.push(
        sampleEvent(
          'ExecutionSubmitting',
          { clientOrderId, userId, expiresAt: ago(startAgoMs - MINUTE) },
          ago(nowMs - atMs),
        ),
      );
      return builder;
    },
    rejected() {
      events.push(sampleEvent('ExecutionRejected', { clientOrderId, userId }, ago(nowMs - atMs)));
      return builder;
    },
    after(afterMs: number, event: (at: string) => ExecutionEvent) {
      atMs += afterMs;
      events.push(event(ago(nowMs - atMs)));
      return builder;
    },
  };
  return builder;
}

const submitted = (orderId: string) => (at: string) =>
  sampleEvent('Submitted', { exchangeOrderId: orderId }, at);
const filled = (at: string) => sampleEvent('Filled', {}, at);
const unknown = (at: string) => sampleEvent('SubmissionOutcomeUnknown', { sentAt: at }, at);

const dataSet = {
  // SUBMITTING, last event 30 minutes ago: stale.
  stale: execution(40 * MINUTE)
    .submitting()
    .after(10 * MINUTE, unknown),
  // SUBMITTING, but only 2 minutes old.
  fresh: execution(2 * MINUTE).submitting(),
  filled: execution(HOUR).submitting().after(500, submitted('order-filled')).after(2_000, filled),
  submitted: execution(HOUR).submitting().after(1_500, submitted('order-submitted')),
  rejected: execution(2 * HOUR).rejected(),
  hardFailure: execution(3 * HOUR)
    .submitting()
    .after(800, (at) => sampleEvent('SubmissionFailed', {}, at)),
  // Unknown outcome, then found by reconcile and filled: a soft failure that was reconciled.
  recovered: execution(4 * HOUR, 'user-2')
    .submitting()
    .after(1_000, unknown)
    .after(2_000, submitted('order-recovered'))
    .after(1_000, filled),
  // Two executions claiming one exchange order: a duplicate.
  duplicateA: execution(5 * HOUR, 'user-2')
    .submitting()
    .after(1_000, submitted('order-dup')),
  duplicateB: execution(5 * HOUR, 'user-2')
    .submitting()
    .after(1_000, submitted('order-dup')),
  // Outside the 24-hour window.
  old: execution(30 * HOUR)
    .submitting()
    .after(1_000, submitted('order-old'))
    .after(1_000, filled),
};

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
  const store = newStore(database.pool);
  let last;
  for (const item of Object.values(dataSet)) {
    for (const [revision, event] of item.events.entries()) {
      last = (await appendEvent(store, item.clientOrderId, event, revision)).position;
    }
  }
  const runner = new ProjectionRunner({ pool: database.pool, store, projection: executionsProjection() });
  runner.start();
  await runner.waitForPosition(last!);
  await runner.stop();
  await store.close();
});
afterAll(async () => {
  await database.drop();
});

async function rows(sql: string): Promise<Record<string, unknown>[]> {
  return (await database.pool.query(sql)).rows as Record<string, unknown>[];
}

describe('the deployment checklist staging queries, on a known data set', () => {
  it('stale SUBMITTING: one (the 30-minute one, not the 2-minute one)', async () => {
    expect(await rows(STALE_SUBMITTING)).toEqual([{ count: '1' }]);
    const violations = await rows(
      'SELECT client_order_id, reconcile_attempts FROM check_no_stale_submitting()',
    );
    expect(violations).toEqual([{ client_order_id: dataSet.stale.clientOrderId, reconcile_attempts: 0 }]);
  });

  it('duplicates: one exchange order on two executions', async () => {
    expect(await rows(DUPLICATES)).toEqual([{ count: '1' }]);
    const violations = await rows(
      'SELECT bitvavo_order_id, executions, client_order_ids FROM check_no_duplicates()',
    );
    expect(violations).toEqual([
      {
        bitvavo_order_id: 'order-dup',
        executions: '2',
        client_order_ids: [dataSet.duplicateA.clientOrderId, dataSet.duplicateB.clientOrderId].sort(),
      },
    ]);
  });

  it('event-log completeness: every execution of the last 24 hours has events there', async () => {
    expect(await rows(EVENT_LOG)).toEqual([{ count: String(Object.keys(dataSet).length - 1) }]);
  });

  it('recovery rate: refresh_execution_stats_24h stores the day and the query reads it', async () => {
    const [refreshed] = await rows('SELECT * FROM refresh_execution_stats_24h()');
    expect(refreshed).toMatchObject({
      total_executions: '8',
      submitted: '5',
      filled: '2',
      rejected: '1',
      hard_failures: '1',
      soft_failures: '2',
      reconciled: '1',
      recovery_rate_pct: '25.00',
      p50_submit_latency_ms: '1000.000',
      p95_submit_latency_ms: '2700.000',
      stored: true,
    });
    expect(await rows(RECOVERY_RATE)).toEqual([
      { soft_failures: '2', total_executions: '8', recovery_rate_pct: 25 },
    ]);
  });

  it('the columns the checklist looks for are there', async () => {
    const names = (await rows(COLUMNS)).map((row) => row.column_name).sort();
    expect(names).toEqual(['client_order_id', 'reconcile_attempts', 'submitting_at']);
  });

  it('the order-id invariants hold, and report a row planted by hand', async () => {
    expect(await rows('SELECT * FROM check_no_missing_order_id()')).toEqual([]);
    expect(await rows('SELECT * FROM check_client_order_id_set()')).toEqual([]);
    const id = dataSet.filled.clientOrderId;
    await database.pool.query(
      `UPDATE trade_executions SET bitvavo_order_id = NULL WHERE client_order_id = $1`,
      [id],
    );
    expect(await rows('SELECT client_order_id, status FROM check_no_missing_order_id()')).toEqual([
      { client_order_id: id, status: 'FILLED' },
    ]);
    await database.pool.query(
      `UPDATE trade_executions SET client_order_id = 'order-7' WHERE client_order_id = $1`,
      [id],
    );
    expect(await rows('SELECT client_order_id, problem FROM check_client_order_id_set()')).toEqual([
      { client_order_id: 'order-7', problem: 'not a UUID' },
    ]);
  });

  it('per-user statistics for promotion', async () => {
    const stats = await rows(
      'SELECT user_id, executions_past_gates, successful, reconciled, rejected, success_rate, recovery_rate FROM user_execution_stats ORDER BY user_id',
    );
    expect(stats).toEqual([
      // stale, fresh, filled, submitted, hardFailure, old (+ rejected outside the past-gates count)
      {
        user_id: 'user-1',
        executions_past_gates: '6',
        successful: '3',
        reconciled: '1',
        rejected: '1',
        success_rate: '0.500000',
        recovery_rate: '0.166666',
      },
      {
        user_id: 'user-2',
        executions_past_gates: '3',
        successful: '3',
        reconciled: '1',
        rejected: '0',
        success_rate: '1.000000',
        recovery_rate: '0.333333',
      },
    ]);
  });

  it('a day without executions stores no row (the checklist ratio never divides by zero)', async () => {
    await database.pool.query('DELETE FROM execution_stats_24h');
    await database.pool.query("UPDATE trade_executions SET created_at = created_at - interval '7 days'");
    const [refreshed] = await rows('SELECT total_executions, stored FROM refresh_execution_stats_24h()');
    expect(refreshed).toEqual({ total_executions: '0', stored: false });
    expect(await rows(RECOVERY_RATE)).toEqual([]);
  });
});
