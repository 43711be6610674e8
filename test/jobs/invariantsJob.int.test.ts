import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RecordingNotifier } from '../../src/adapters/alerts/notifier';
import { createLogger } from '../../src/adapters/logging/createLogger';
import { ManualClock } from '../../src/domain/ports/clock';
import { INVARIANT_CHECKS, invariantsJob, type InvariantCheckResult } from '../../src/jobs/invariantsJob';
import { listJobRuns } from '../../src/jobs/scheduler/jobRunsRepository';
import { JobScheduler } from '../../src/jobs/scheduler/JobScheduler';
import { createTestDatabase, type TestDatabase } from '../support/testDatabase';
import { insertTradeExecutions } from './tradeExecutionRows';

const logger = createLogger({ level: 'silent' });
const T0 = Date.parse('2025-03-01T10:20:00.000Z');
const NEXT_HOUR = Date.parse('2025-03-01T11:00:00.000Z');

let db: TestDatabase;
beforeEach(async () => {
  db = await createTestDatabase({ poolMax: 5 });
});
afterEach(async () => {
  await db.drop();
});

async function storedResults() {
  const result = await db.pool.query<{
    check_name: string;
    ran_at: Date;
    violations: number;
    ok: boolean;
    details: unknown[];
  }>('SELECT check_name, ran_at, violations, ok, details FROM invariant_check_results ORDER BY check_name');
  return result.rows;
}

describe('invariants job (0 * * * *)', () => {
  it('at the top of the hour by the controlled clock, stores one ok row per check and alerts nobody', async () => {
    const clock = new ManualClock(T0);
    const notifier = new RecordingNotifier();
    const seen: InvariantCheckResult[][] = [];
    const job = invariantsJob({
      pool: db.pool,
      clock,
      notifier,
      onResults: (results) => seen.push([...results]),
    });
    const scheduler = new JobScheduler({ pool: db.pool, clock, logger, jobs: [job] });
    await insertTradeExecutions(db.pool, [
      { status: 'FILLED', bitvavoOrderId: 'o-1' },
      { status: 'REJECTED' },
    ]);

    clock.setMs(NEXT_HOUR - 1);
    expect(await scheduler.tick()).toEqual([]);
    expect(await storedResults()).toEqual([]);

    clock.setMs(NEXT_HOUR);
    const [report] = await scheduler.tick();
    expect(report).toMatchObject({ outcome: 'succeeded', detail: { ok: true } });
    const rows = await storedResults();
    expect(rows.map((row) => row.check_name)).toEqual([...INVARIANT_CHECKS].sort());
    expect(rows.every((row) => row.ok && row.violations === 0 && row.ran_at.getTime() === NEXT_HOUR)).toBe(
      true,
    );
    expect(notifier.alerts).toEqual([]);
    expect(seen).toHaveLength(1);
    await scheduler.stop();
  });

  it('counts every violation exactly, keeps a bounded sample, and sends one critical alert', async () => {
    const clock = new ManualClock(NEXT_HOUR);
    const notifier = new RecordingNotifier();
    const longAgo = new Date(Date.now() - 3_600_000);
    // 25 pairs of executions sharing an exchange order id, one execution acknowledged without an id,
    // and one stuck in SUBMITTING for an hour.
    const duplicates = Array.from({ length: 50 }, (_, i) => ({
      status: 'FILLED',
      bitvavoOrderId: `dup-${Math.floor(i / 2)}`,
    }));
    await insertTradeExecutions(db.pool, [
      ...duplicates,
      { status: 'SUBMITTED', bitvavoOrderId: null },
      { status: 'SUBMITTING', updatedAt: longAgo },
    ]);
    const results = await invariantsJob({ pool: db.pool, clock, notifier }).run({
      nowMs: clock.nowMs(),
      signal: new AbortController().signal,
      logger,
    });
    expect(results.detail).toEqual({
      ok: false,
      violations: {
        check_no_duplicates: 25,
        check_no_stale_submitting: 1,
        check_no_missing_order_id: 1,
        check_client_order_id_set: 0,
      },
    });
    const rows = await storedResults();
    const duplicatesRow = rows.find((row) => row.check_name === 'check_no_duplicates');
    expect(duplicatesRow).toMatchObject({ ok: false, violations: 25 });
    expect(duplicatesRow?.details).toHaveLength(20);
    expect(notifier.alerts).toHaveLength(1);
    expect(notifier.alerts[0]).toMatchObject({
      severity: 'critical',
      title: 'Invariant violated: check_no_duplicates, check_no_stale_submitting, check_no_missing_order_id',
      fields: { check_no_duplicates: 25, check_no_stale_submitting: 1, check_no_missing_order_id: 1 },
    });
  });

  it('a check that cannot run fails the run, alerts, and still stores the others', async () => {
    const clock = new ManualClock(NEXT_HOUR);
    const notifier = new RecordingNotifier();
    await db.pool.query('DROP FUNCTION check_no_missing_order_id()');
    const scheduler = new JobScheduler({
      pool: db.pool,
      clock,
      logger,
      jobs: [invariantsJob({ pool: db.pool, clock, notifier })],
    });
    const report = await scheduler.runNow('invariants');
    expect(report.outcome).toBe('failed');
    expect(String(report.detail.error)).toContain('check_no_missing_order_id');
    expect((await storedResults()).map((row) => row.check_name)).not.toContain('check_no_missing_order_id');
    expect(await storedResults()).toHaveLength(3);
    expect(notifier.alerts.map((alert) => alert.title)).toEqual(['Invariant checks could not run']);
    const [run] = await listJobRuns(db.pool, { job: 'invariants' });
    expect(run?.outcome).toBe('failed');
  });
});
