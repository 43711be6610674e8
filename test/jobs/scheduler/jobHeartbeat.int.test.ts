import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/adapters/logging/createLogger';
import { ManualClock } from '../../../src/domain/ports/clock';
import { readJobsOverview } from '../../../src/jobs/jobsOverview';
import { HEARTBEAT_STALE_AFTER_MS } from '../../../src/jobs/scheduler/JobHeartbeat';
import type { JobDefinition } from '../../../src/jobs/scheduler/jobDefinition';
import { listHeartbeats, type JobHeartbeatRow } from '../../../src/jobs/scheduler/jobHeartbeatsRepository';
import { listJobRuns } from '../../../src/jobs/scheduler/jobRunsRepository';
import { JobScheduler } from '../../../src/jobs/scheduler/JobScheduler';
import { createTestDatabase, type TestDatabase } from '../../support/testDatabase';

const logger = createLogger({ level: 'silent' });
const T0 = Date.parse('2025-03-01T10:00:00.000Z');
const HOUR = 3_600_000;

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

/** An hourly job and an idle 5 s sweeper, named with `prefix` so that the tests do not meet. */
function jobs(prefix: string, onRun: (name: string) => void = () => undefined): JobDefinition[] {
  return [
    {
      name: `${prefix}-hourly`,
      schedule: { cron: '0 * * * *' },
      run: async () => (onRun(`${prefix}-hourly`), { detail: {} }),
    },
    {
      name: `${prefix}-sweep`,
      schedule: { everyMs: 5_000 },
      run: async () => (onRun(`${prefix}-sweep`), { detail: { found: 0 }, idle: true }),
    },
  ];
}

async function rowsOf(instanceId: string): Promise<Map<string, JobHeartbeatRow>> {
  const rows = (await listHeartbeats(db.pool)).filter((row) => row.instanceId === instanceId);
  return new Map(rows.map((row) => [row.job, row]));
}

describe('job heartbeats', () => {
  it('registers each job with its schedule at the first beat, refreshes every 30 s and on every run', async () => {
    const clock = new ManualClock(T0);
    const scheduler = new JobScheduler({
      pool: db.pool,
      clock,
      logger,
      jobs: jobs('a'),
      instanceId: 'host-a:1',
    });
    expect((await rowsOf('host-a:1')).size).toBe(0);

    await scheduler.tick();
    let rows = await rowsOf('host-a:1');
    expect(rows.get('a-hourly')).toMatchObject({
      cron: '0 * * * *',
      everyMs: null,
      registeredAtMs: T0,
      heartbeatAtMs: T0,
      lastRunOutcome: null,
      nextDueAtMs: T0 + HOUR,
    });
    expect(rows.get('a-sweep')).toMatchObject({
      cron: null,
      everyMs: 5_000,
      heartbeatAtMs: T0,
      nextDueAtMs: T0 + 5_000,
    });

    // The sweeper runs (idle: job_runs keeps nothing), and its row says so; the hourly row waits for the beat.
    clock.setMs(T0 + 10_000);
    await scheduler.tick();
    rows = await rowsOf('host-a:1');
    expect(rows.get('a-sweep')).toMatchObject({
      heartbeatAtMs: T0 + 10_000,
      lastRunStartedAtMs: T0 + 10_000,
      lastRunFinishedAtMs: T0 + 10_000,
      lastRunOutcome: 'succeeded',
      nextDueAtMs: T0 + 15_000,
    });
    expect(rows.get('a-hourly')?.heartbeatAtMs).toBe(T0);
    expect(await listJobRuns(db.pool, { job: 'a-sweep' })).toEqual([]);

    clock.setMs(T0 + 30_000);
    await scheduler.tick();
    rows = await rowsOf('host-a:1');
    expect(rows.get('a-hourly')?.heartbeatAtMs).toBe(T0 + 30_000);
    expect(rows.get('a-hourly')?.registeredAtMs).toBe(T0);

    // The hourly run at its slot.
    clock.setMs(T0 + HOUR);
    await scheduler.tick();
    rows = await rowsOf('host-a:1');
    expect(rows.get('a-hourly')).toMatchObject({
      lastRunStartedAtMs: T0 + HOUR,
      lastRunOutcome: 'succeeded',
      nextDueAtMs: T0 + 2 * HOUR,
    });
    await scheduler.stop();
  });

  it('shows a run as running while it runs, and keeps beating meanwhile', async () => {
    const clock = new ManualClock(T0);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const slow: JobDefinition = {
      name: 'b-slow',
      schedule: { everyMs: 1_000 },
      run: async () => (await held, { detail: {} }),
    };
    const scheduler = new JobScheduler({
      pool: db.pool,
      clock,
      logger,
      jobs: [slow],
      instanceId: 'host-b:1',
    });
    await scheduler.tick();
    clock.setMs(T0 + 1_000);
    const running = scheduler.tick();
    await expect.poll(async () => (await rowsOf('host-b:1')).get('b-slow')?.lastRunOutcome).toBe('running');
    clock.setMs(T0 + 31_000);
    await scheduler.tick();
    expect((await rowsOf('host-b:1')).get('b-slow')?.heartbeatAtMs).toBe(T0 + 31_000);
    release();
    await running;
    expect((await rowsOf('host-b:1')).get('b-slow')).toMatchObject({
      lastRunStartedAtMs: T0 + 1_000,
      lastRunFinishedAtMs: T0 + 31_000,
      lastRunOutcome: 'succeeded',
    });
    await scheduler.stop();
  });

  it('counts an instance whose heartbeat is older than the limit as dead, and prunes it after a day', async () => {
    const clock = new ManualClock(T0);
    const alive = new JobScheduler({
      pool: db.pool,
      clock,
      logger,
      jobs: jobs('c'),
      instanceId: 'host-c:alive',
    });
    const dead = new JobScheduler({
      pool: db.pool,
      clock,
      logger,
      jobs: jobs('c'),
      instanceId: 'host-c:dead',
    });
    await Promise.all([alive.tick(), dead.tick()]);

    // `dead` stops beating (a crash: no stop()); `alive` goes on.
    for (let second = 5; second <= 120; second += 5) {
      clock.setMs(T0 + second * 1_000);
      await alive.tick();
    }
    const nowMs = clock.nowMs();
    const overview = await readJobsOverview(db.pool, { nowMs });
    const sweep = overview.jobs.find((job) => job.job === 'c-sweep');
    expect(sweep).toMatchObject({
      expected: false,
      schedule: { cron: null, everyMs: 5_000 },
      liveInstances: ['host-c:alive'],
      lastHeartbeatAt: new Date(T0 + 120_000).toISOString(),
      lastRun: { instanceId: 'host-c:alive', outcome: 'succeeded' },
    });
    expect(sweep?.instances.map((instance) => [instance.instanceId, instance.alive])).toEqual([
      ['host-c:alive', true],
      ['host-c:dead', false],
    ]);
    // Alive just below the limit, dead just above it.
    const deadBeatMs = T0;
    expect(
      (await readJobsOverview(db.pool, { nowMs: deadBeatMs + HEARTBEAT_STALE_AFTER_MS })).jobs
        .find((job) => job.job === 'c-hourly')
        ?.liveInstances.sort(),
    ).toEqual(['host-c:alive', 'host-c:dead']);
    expect(
      (await readJobsOverview(db.pool, { nowMs: deadBeatMs + HEARTBEAT_STALE_AFTER_MS + 1 })).jobs.find(
        (job) => job.job === 'c-hourly',
      )?.liveInstances,
    ).toEqual(['host-c:alive']);

    // The live instance's beats leave the dead rows alone for a day, then prune them.
    expect((await rowsOf('host-c:dead')).size).toBe(2);
    clock.setMs(T0 + 24 * HOUR + 60_000);
    await alive.tick();
    expect((await rowsOf('host-c:dead')).size).toBe(0);
    expect((await rowsOf('host-c:alive')).size).toBe(2);
    await alive.stop();
    await dead.stop();
  });

  it('a graceful stop removes only its own rows; a scheduler used only for runNow never registers', async () => {
    const clock = new ManualClock(T0);
    const leaving = new JobScheduler({
      pool: db.pool,
      clock,
      logger,
      jobs: jobs('d'),
      instanceId: 'host-d:1',
    });
    const staying = new JobScheduler({
      pool: db.pool,
      clock,
      logger,
      jobs: jobs('d'),
      instanceId: 'host-d:2',
    });
    await Promise.all([leaving.tick(), staying.tick()]);
    expect((await rowsOf('host-d:1')).size).toBe(2);

    await leaving.stop();
    expect((await rowsOf('host-d:1')).size).toBe(0);
    expect((await rowsOf('host-d:2')).size).toBe(2);
    // A stopped scheduler writes nothing any more.
    clock.setMs(T0 + 60_000);
    await leaving.tick();
    expect((await rowsOf('host-d:1')).size).toBe(0);
    await staying.stop();
    expect((await rowsOf('host-d:2')).size).toBe(0);

    const cli = new JobScheduler({ pool: db.pool, clock, logger, jobs: jobs('e'), instanceId: 'cli' });
    expect((await cli.runNow('e-hourly')).outcome).toBe('succeeded');
    expect((await rowsOf('cli')).size).toBe(0);
    await cli.stop();
  });

  it('a heartbeat that cannot be written is logged, and the next beat registers', async () => {
    const clock = new ManualClock(T0);
    const scheduler = new JobScheduler({
      pool: db.pool,
      clock,
      logger,
      jobs: jobs('f'),
      instanceId: 'host-f:1',
    });
    await db.pool.query('ALTER TABLE job_heartbeats RENAME TO job_heartbeats_away');
    try {
      await scheduler.tick();
    } finally {
      await db.pool.query('ALTER TABLE job_heartbeats_away RENAME TO job_heartbeats');
    }
    expect((await rowsOf('host-f:1')).size).toBe(0);
    clock.setMs(T0 + 30_000);
    await scheduler.tick();
    expect((await rowsOf('host-f:1')).get('f-hourly')?.registeredAtMs).toBe(T0 + 30_000);
    await scheduler.stop();
  });
});
