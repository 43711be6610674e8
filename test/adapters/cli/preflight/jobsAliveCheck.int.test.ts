import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobsAliveCheck } from '../../../../src/adapters/cli/preflight/jobsAliveCheck';
import { expectedJobs } from '../../../../src/adapters/cli/preflight/jobsCheck';
import { createLogger } from '../../../../src/adapters/logging/createLogger';
import { loadConfig } from '../../../../src/config';
import { ManualClock } from '../../../../src/domain/ports/clock';
import { EXPECTED_JOB_NAMES } from '../../../../src/jobs/jobRegistry';
import type { JobDefinition } from '../../../../src/jobs/scheduler/jobDefinition';
import { JobScheduler } from '../../../../src/jobs/scheduler/JobScheduler';
import { createTestDatabase, type TestDatabase } from '../../../support/testDatabase';

const logger = createLogger({ level: 'silent' });
const T0 = Date.parse('2025-03-01T10:00:00.000Z');
const config = loadConfig({});

/** Stand-ins with the real jobs' names and schedules (what they do does not matter here). */
function standIns(except: readonly string[] = []): JobDefinition[] {
  return expectedJobs(config)
    .filter((job) => !except.includes(job.name))
    .map((job) => ({
      name: job.name,
      schedule: job.everyMs === null ? { cron: job.schedule } : { everyMs: job.everyMs },
      run: async () => ({ detail: {}, idle: true }),
    }));
}

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

describe('preflight: jobs registered on a live instance', () => {
  it('checks the jobs of the registry', () => {
    expect(expectedJobs(config).map((job) => job.name)).toEqual([...EXPECTED_JOB_NAMES]);
  });

  it('fails naming every job when no instance runs the jobs', async () => {
    const verdict = await jobsAliveCheck(db.pool, { waitMs: 0, nowMs: () => T0 });
    expect(verdict.ok).toBe(false);
    for (const name of EXPECTED_JOB_NAMES) {
      expect(verdict.detail).toContain(`${name}: not registered on any instance`);
    }
  });

  it('passes with an instance running them all; fails when it dies; fails for a job no instance runs', async () => {
    const clock = new ManualClock(T0);
    const check = () => jobsAliveCheck(db.pool, { waitMs: 0, nowMs: () => clock.nowMs() });
    const all = new JobScheduler({ pool: db.pool, clock, logger, jobs: standIns(), instanceId: 'all:1' });
    await all.tick();
    // Registered, but the interval jobs have not run yet.
    expect((await check()).detail).toMatch(/reconcile: registered, but not run yet/);
    clock.advanceMs(config.RECONCILE_INTERVAL_MS);
    await all.tick();
    const passed = await check();
    expect(passed).toMatchObject({ ok: true });
    expect(passed.detail).toMatch(
      /invariants ×1, promotions ×1, stats ×1, reconcile ×1, fills ×1 \(1 live instance/,
    );

    // The instance stops beating (a crash): 2 minutes later it is dead (its last beat was at T0).
    clock.advanceMs(120_000);
    const dead = await check();
    expect(dead.ok).toBe(false);
    expect(dead.detail).toMatch(/invariants: no live instance \(last heartbeat 125 s ago, from all:1\)/);

    // Another instance runs everything but the fill follower.
    const partial = new JobScheduler({
      pool: db.pool,
      clock,
      logger,
      jobs: standIns(['fills']),
      instanceId: 'partial:2',
    });
    await partial.tick();
    clock.advanceMs(config.RECONCILE_INTERVAL_MS);
    await partial.tick();
    const missing = await check();
    expect(missing.ok).toBe(false);
    expect(missing.detail).toMatch(/^fills: no live instance/);
    expect(missing.detail).not.toMatch(/reconcile|invariants/);

    // A graceful stop of the last instance: its rows are gone, nothing is registered any more.
    await partial.stop();
    await all.stop();
    expect((await check()).detail).toContain('invariants: not registered on any instance');
  });

  it('waits up to waitMs for a service that is starting', async () => {
    const clock = new ManualClock(T0 + 10 * 3_600_000);
    const late = new JobScheduler({ pool: db.pool, clock, logger, jobs: standIns(), instanceId: 'late:1' });
    const started = (async () => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      await late.tick();
      clock.advanceMs(config.RECONCILE_INTERVAL_MS);
      await late.tick();
    })();
    const verdict = await jobsAliveCheck(db.pool, {
      waitMs: 5_000,
      pollMs: 20,
      nowMs: () => clock.nowMs(),
    });
    await started;
    expect(verdict.ok).toBe(true);
    await late.stop();
  });
});
