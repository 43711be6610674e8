import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dashboardReader,
  readDashboard,
  type DashboardSources,
} from '../../../../src/adapters/http/dashboard/readDashboard';
import { initialTradingControlState } from '../../../../src/domain/control';
import { EXPECTED_JOB_NAMES } from '../../../../src/jobs/jobRegistry';
import { upsertHeartbeats } from '../../../../src/jobs/scheduler/jobHeartbeatsRepository';
import { createTestDatabase, type TestDatabase } from '../../../support/testDatabase';
import { seedExecutions, seedInvariantResult, seedJobRun, seedPendingPromotion } from './dashboardSeed';

const NOW_MS = Date.parse('2031-03-04T12:30:00.000Z');
const hoursAgo = (hours: number, minutes = 0) => new Date(NOW_MS - hours * 3_600_000 - minutes * 60_000);

describe('readDashboard over the read models', () => {
  let db: TestDatabase;
  let sources: DashboardSources;

  beforeAll(async () => {
    db = await createTestDatabase({ poolMax: 10 });
    sources = {
      pool: db.pool,
      clock: { nowMs: () => NOW_MS },
      readKillSwitch: async () => initialTradingControlState().killSwitch,
    };
  });
  afterAll(async () => {
    await db.drop();
  });

  it('answers an empty ledger with 48 empty hours, four never-run invariants and empty lists', async () => {
    const snapshot = await readDashboard(sources);
    expect(snapshot.generatedAt).toBe(new Date(NOW_MS).toISOString());
    expect(snapshot.killSwitch).toEqual({ engaged: false, reason: null, changedBy: null, changedAt: null });
    expect(snapshot.executionsPerHour.hours).toHaveLength(48);
    expect(snapshot.executionsPerHour.hours.at(-1)).toBe('2031-03-04T12:00:00.000Z');
    expect(snapshot.executionsPerHour.hours[0]).toBe('2031-03-02T13:00:00.000Z');
    expect(snapshot.executionsPerHour.filled.every((n) => n === 0)).toBe(true);
    expect(snapshot.recovery).toMatchObject({
      pastGates: 0,
      neededReconciliation: 0,
      rate: '0.000000',
      aboveThreshold: false,
    });
    expect(snapshot.invariants.map((i) => [i.check, i.ok])).toEqual([
      ['check_no_duplicates', null],
      ['check_no_stale_submitting', null],
      ['check_no_missing_order_id', null],
      ['check_client_order_id_set', null],
    ]);
    expect(snapshot.submitting).toEqual({ staleAfterSeconds: 600, total: 0, stale: 0, items: [] });
    expect(snapshot.promotions).toEqual([]);
    // Every job a deployment must run is listed before anything ran it, with no live instance.
    expect(snapshot.jobs.map((job) => [job.job, job.expected, job.liveInstances, job.outcome])).toEqual(
      EXPECTED_JOB_NAMES.map((job) => [job, true, 0, 'unknown']),
    );
    expect(snapshot.projections.map((p) => [p.name, p.eventsBehind, p.lagMs])).toEqual([
      ['executions', 0, 0],
      ['user_policies', 0, 0],
    ]);
    expect(snapshot.exchange).toEqual({ rateLimit: null, latency: [] });
  });

  it('counts executions per hour by outcome, and the 24 h recovery rate against 5 %', async () => {
    await seedExecutions(db.pool, [
      // the current hour: 2 filled (one after a reconcile), 1 rejected, 1 hard failure
      { status: 'FILLED', createdAt: hoursAgo(0, 10), submittedAt: hoursAgo(0, 10) },
      {
        status: 'FILLED',
        createdAt: hoursAgo(0, 20),
        submittedAt: hoursAgo(0, 5),
        neededReconciliation: true,
      },
      { status: 'REJECTED', createdAt: hoursAgo(0, 25) },
      { status: 'FAILED', createdAt: hoursAgo(0, 29) },
      // an abandoned one (FAILED with a reason) is not a hard failure
      { status: 'FAILED', createdAt: hoursAgo(3), endReason: 'not_placed', neededReconciliation: true },
      // 30 hours ago: outside the 24 h recovery window, inside the chart
      { status: 'SUBMITTED', createdAt: hoursAgo(30), submittedAt: hoursAgo(30) },
      // 50 hours ago: outside both
      { status: 'FILLED', createdAt: hoursAgo(50), submittedAt: hoursAgo(50) },
    ]);
    const snapshot = await readDashboard(sources);
    const perHour = snapshot.executionsPerHour;
    const last = perHour.hours.length - 1;
    expect([perHour.filled[last], perHour.submitted[last], perHour.rejected[last]]).toEqual([2, 2, 1]);
    expect([perHour.hardFailures[last], perHour.softFailures[last], perHour.pastGates[last]]).toEqual([
      1, 1, 3,
    ]);
    const threeHoursAgo = perHour.hours.indexOf('2031-03-04T09:00:00.000Z');
    expect([perHour.hardFailures[threeHoursAgo], perHour.softFailures[threeHoursAgo]]).toEqual([0, 1]);
    const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
    expect(sum(perHour.submitted)).toBe(3);
    expect(sum(perHour.filled)).toBe(2);
    // 24 h: 4 past the gates (2 filled, 1 hard failure, 1 abandoned), 2 needed reconciliation: 50 %
    expect(snapshot.recovery).toMatchObject({
      pastGates: 4,
      neededReconciliation: 2,
      rate: '0.500000',
      aboveThreshold: true,
    });
  });

  it('lists SUBMITTING executions oldest first, with the stale ones flagged and counted', async () => {
    const [stale, fresh] = await seedExecutions(db.pool, [
      {
        status: 'SUBMITTING',
        createdAt: hoursAgo(1),
        updatedAt: hoursAgo(0, 11),
        reconcileAttempts: 2,
        lastError: 'lookup failed: 503',
      },
      { status: 'SUBMITTING', createdAt: hoursAgo(0, 2), neededReconciliation: true },
    ]);
    const snapshot = await readDashboard(sources);
    expect(snapshot.submitting.total).toBe(2);
    expect(snapshot.submitting.stale).toBe(1);
    expect(snapshot.submitting.items.map((i) => [i.clientOrderId, i.stale, i.ageSeconds])).toEqual([
      [stale, true, 660],
      [fresh, false, 120],
    ]);
    expect(snapshot.submitting.items[0]).toMatchObject({
      reconcileAttempts: 2,
      lastError: 'lookup failed: 503',
    });

    const strict = await readDashboard({ ...sources, staleAfterMs: 60_000 });
    expect(strict.submitting.stale).toBe(2);
    expect(strict.submitting.staleAfterSeconds).toBe(60);
  });

  it('shows the latest result of each invariant, with the violating executions as links', async () => {
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    await seedInvariantResult(db.pool, 'check_no_duplicates', hoursAgo(2), [
      { bitvavo_order_id: 'x1', executions: 2, client_order_ids: [a, b] },
    ]);
    await seedInvariantResult(db.pool, 'check_no_duplicates', hoursAgo(1), []);
    await seedInvariantResult(db.pool, 'check_no_stale_submitting', hoursAgo(1), [
      { client_order_id: c, age_seconds: 900 },
    ]);
    await seedInvariantResult(db.pool, 'check_no_missing_order_id', hoursAgo(1), []);
    const snapshot = await readDashboard(sources);
    const byName = Object.fromEntries(snapshot.invariants.map((i) => [i.check, i]));
    expect(byName.check_no_duplicates).toMatchObject({ ok: true, violations: 0, executionIds: [] });
    expect(byName.check_no_duplicates?.lastViolationAt).toBe(hoursAgo(2).toISOString());
    expect(byName.check_no_stale_submitting).toMatchObject({ ok: false, violations: 1, executionIds: [c] });
    expect(byName.check_no_stale_submitting?.summary).toContain('900');
    expect(byName.check_client_order_id_set).toMatchObject({ ok: null, lastRunAt: null });

    await seedInvariantResult(db.pool, 'check_no_duplicates', hoursAgo(0, 1), [
      { bitvavo_order_id: 'x1', executions: 2, client_order_ids: [a, b] },
    ]);
    const later = await readDashboard(sources);
    expect(later.invariants[0]).toMatchObject({ ok: false, violations: 1, executionIds: [a, b] });
  });

  it('shows each job once: its latest real run (not a skipped one) and its latest success', async () => {
    await seedJobRun(db.pool, {
      job: 'invariants',
      startedAt: hoursAgo(2),
      finishedAt: hoursAgo(2, -1),
      outcome: 'succeeded',
    });
    await seedJobRun(db.pool, {
      job: 'invariants',
      startedAt: hoursAgo(1),
      finishedAt: new Date(hoursAgo(1).getTime() + 1500),
      outcome: 'failed',
      detail: { error: 'boom' },
    });
    await seedJobRun(db.pool, {
      job: 'invariants',
      startedAt: hoursAgo(0, 1),
      finishedAt: hoursAgo(0, 1),
      outcome: 'skipped_locked',
    });
    await seedJobRun(db.pool, {
      job: 'stats',
      startedAt: hoursAgo(12),
      finishedAt: null,
      outcome: 'running',
    });
    // One live instance runs invariants; stats' only instance went silent 2 minutes ago (dead).
    await upsertHeartbeats(
      db.pool,
      'host-a:1',
      [{ job: 'invariants', cron: '0 * * * *', everyMs: null, nextDueMs: NOW_MS + 30 * 60_000 }],
      NOW_MS - 10_000,
      true,
    );
    await upsertHeartbeats(
      db.pool,
      'host-b:2',
      [{ job: 'stats', cron: '15 0 * * *', everyMs: null, nextDueMs: NOW_MS + 3_600_000 }],
      NOW_MS - 120_000,
      true,
    );
    // A job no deployment must run, which ran once and is registered nowhere: listed after them.
    await seedJobRun(db.pool, {
      job: 'archive',
      startedAt: hoursAgo(3),
      finishedAt: hoursAgo(3),
      outcome: 'succeeded',
    });
    const snapshot = await readDashboard(sources);
    expect(snapshot.jobs.map((job) => job.job)).toEqual([...EXPECTED_JOB_NAMES, 'archive']);
    expect(snapshot.jobs.at(-1)).toMatchObject({ expected: false, liveInstances: 0, outcome: 'succeeded' });
    expect(snapshot.jobs.find((job) => job.job === 'fills')).toMatchObject({
      expected: true,
      liveInstances: 0,
      lastHeartbeatAt: null,
      lastRunAt: null,
    });
    const ran = snapshot.jobs.filter((job) => job.job === 'invariants' || job.job === 'stats');
    expect(ran).toEqual([
      {
        job: 'invariants',
        expected: true,
        liveInstances: 1,
        lastHeartbeatAt: new Date(NOW_MS - 10_000).toISOString(),
        nextDueAt: new Date(NOW_MS + 30 * 60_000).toISOString(),
        lastRunAt: hoursAgo(1).toISOString(),
        outcome: 'failed',
        durationMs: 1500,
        lastSuccessAt: hoursAgo(2, -1).toISOString(),
        detail: '{"error":"boom"}',
      },
      {
        job: 'stats',
        expected: true,
        liveInstances: 0,
        lastHeartbeatAt: new Date(NOW_MS - 120_000).toISOString(),
        nextDueAt: null,
        lastRunAt: hoursAgo(12).toISOString(),
        outcome: 'running',
        durationMs: null,
        lastSuccessAt: null,
        detail: null,
      },
    ]);
  });

  it('lists pending promotions with the stats they were proposed on and the limits before and after', async () => {
    const stats = {
      executionsPastGates: 120,
      successful: 119,
      reconciled: 2,
      successRate: '0.991666',
      recoveryRate: '0.016666',
    };
    await seedPendingPromotion(db.pool, 'alice', {
      fromLevel: 'TRAINING',
      toLevel: 'VALIDATED',
      proposedAt: hoursAgo(1).toISOString(),
      stats,
    });
    // After an incident: an override of €10 keeps lowering the next level's €500.
    await seedPendingPromotion(
      db.pool,
      'carol',
      { fromLevel: 'VALIDATED', toLevel: 'PRODUCTION', proposedAt: hoursAgo(2).toISOString(), stats },
      { overrideEur: '10.00', effectiveEur: '10.00' },
    );
    const snapshot = await readDashboard(sources);
    expect(snapshot.promotions).toEqual([
      {
        userId: 'carol',
        fromLevel: 'VALIDATED',
        toLevel: 'PRODUCTION',
        proposedAt: hoursAgo(2).toISOString(),
        reason: 'eligible',
        stats: { executionsPastGates: 120, successRate: '0.991666', recoveryRate: '0.016666' },
        currentLimitEur: '10.00',
        newLimitEur: '10.00',
      },
      {
        userId: 'alice',
        fromLevel: 'TRAINING',
        toLevel: 'VALIDATED',
        proposedAt: hoursAgo(1).toISOString(),
        reason: 'eligible',
        stats: { executionsPastGates: 120, successRate: '0.991666', recoveryRate: '0.016666' },
        currentLimitEur: '25.00',
        newLimitEur: '100.00',
      },
    ]);
  });

  it('measures projection lag as the events after each checkpoint', async () => {
    const id = randomUUID();
    await db.pool.query(
      `INSERT INTO events (stream_id, stream_revision, event_id, event_type, data)
       VALUES ($1, 0, $2, 'ExecutionSubmitting', '{}'), ($1, 1, $3, 'Submitted', '{}')`,
      [`execution-${id}`, randomUUID(), randomUUID()],
    );
    // The lag probe reads as projections do: a transaction another test file holds open anywhere in
    // the cluster keeps new events invisible for a moment (the global order's visibility horizon).
    let behind = await readDashboard({ ...sources, clock: { nowMs: () => Date.now() + 5_000 } });
    for (let round = 0; round < 300; round++) {
      if (behind.projections.find((p) => p.name === 'executions')?.eventsBehind === 2) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
      behind = await readDashboard({ ...sources, clock: { nowMs: () => Date.now() + 5_000 } });
    }
    const executions = behind.projections.find((p) => p.name === 'executions');
    expect(executions?.eventsBehind).toBe(2);
    expect(executions?.lagMs).toBeGreaterThanOrEqual(5_000);
    expect(behind.projections.find((p) => p.name === 'user_policies')?.eventsBehind).toBe(0);

    const head = await db.pool.query<{ tx: string; pos: string }>(
      'SELECT transaction_id::text AS tx, global_position::text AS pos FROM events ORDER BY transaction_id DESC, global_position DESC LIMIT 1',
    );
    await db.pool.query(
      `INSERT INTO projection_checkpoints (name, commit_position, prepare_position, events_applied, last_event_at)
       VALUES ('executions', $1, $2, 2, now())`,
      [head.rows[0]?.tx, head.rows[0]?.pos],
    );
    const caughtUp = await readDashboard(sources);
    expect(caughtUp.projections.find((p) => p.name === 'executions')).toMatchObject({
      eventsBehind: 0,
      lagMs: 0,
    });
  });

  it('reuses the window figures (chart, 24 h rate) for windowCacheMs, never the live cards', async () => {
    let nowMs = NOW_MS;
    const read = dashboardReader({ ...sources, clock: { nowMs: () => nowMs }, windowCacheMs: 10_000 });
    const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
    const before = await read();
    const [id] = await seedExecutions(db.pool, [
      { status: 'SUBMITTING', createdAt: hoursAgo(0, 1), neededReconciliation: true },
    ]);
    nowMs += 5_000;
    const cached = await read();
    expect(sum(cached.executionsPerHour.pastGates)).toBe(sum(before.executionsPerHour.pastGates));
    expect(cached.recovery).toEqual(before.recovery);
    expect(cached.submitting.items.map((item) => item.clientOrderId)).toContain(id);
    nowMs += 6_000;
    const fresh = await read();
    expect(sum(fresh.executionsPerHour.pastGates)).toBe(sum(before.executionsPerHour.pastGates) + 1);
    expect(fresh.recovery.pastGates).toBe(before.recovery.pastGates + 1);
  });
});
