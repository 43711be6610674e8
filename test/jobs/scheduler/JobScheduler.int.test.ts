import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/adapters/logging/createLogger';
import { ManualClock } from '../../../src/domain/ports/clock';
import type { JobDefinition, JobRunResult } from '../../../src/jobs/scheduler/jobDefinition';
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

function countingJob(name: string, schedule: JobDefinition['schedule'], body?: () => Promise<JobRunResult>) {
  const runs: number[] = [];
  const job: JobDefinition = {
    name,
    schedule,
    async run(context) {
      runs.push(context.nowMs);
      return body ? body() : { detail: { ran: true } };
    },
  };
  return { job, runs };
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('JobScheduler', () => {
  it('runs a cron job only when the controlled clock reaches its slot, and records the run', async () => {
    const clock = new ManualClock(T0);
    const { job, runs } = countingJob('hourly-a', { cron: '0 * * * *' });
    const scheduler = new JobScheduler({ pool: db.pool, clock, logger, jobs: [job], instanceId: 'i1' });
    expect(scheduler.nextDue()['hourly-a']).toBe(T0 + HOUR);

    clock.setMs(T0 + HOUR - 1);
    expect(await scheduler.tick()).toEqual([]);
    expect(runs).toEqual([]);

    clock.setMs(T0 + HOUR);
    const [report] = await scheduler.tick();
    expect(report?.outcome).toBe('succeeded');
    expect(runs).toEqual([T0 + HOUR]);

    clock.setMs(T0 + HOUR + 30_000);
    expect(await scheduler.tick()).toEqual([]);
    expect(scheduler.nextDue()['hourly-a']).toBe(T0 + 2 * HOUR);

    const [row] = await listJobRuns(db.pool, { job: 'hourly-a' });
    expect(row).toMatchObject({
      outcome: 'succeeded',
      trigger: 'schedule',
      instanceId: 'i1',
      detail: { ran: true },
    });
    expect(row?.scheduledFor?.getTime()).toBe(T0 + HOUR);
    expect(row?.startedAt.getTime()).toBe(T0 + HOUR);
    await scheduler.stop();
  });

  it('runs a missed slot once after a long pause and then keeps the pattern', async () => {
    const clock = new ManualClock(T0);
    const { job, runs } = countingJob('hourly-b', { cron: '30 * * * *' });
    const scheduler = new JobScheduler({ pool: db.pool, clock, logger, jobs: [job] });
    clock.setMs(T0 + 5 * HOUR + 60_000);
    await scheduler.tick();
    await scheduler.tick();
    expect(runs).toHaveLength(1);
    expect(scheduler.nextDue()['hourly-b']).toBe(T0 + 5 * HOUR + 30 * 60_000);
    await scheduler.stop();
  });

  it('records a failing run with its error and keeps scheduling', async () => {
    const clock = new ManualClock(T0);
    const { job } = countingJob('failing', { cron: '0 * * * *' }, async () => {
      throw Object.assign(new Error('boom'), { code: 'E_TEST' });
    });
    const scheduler = new JobScheduler({ pool: db.pool, clock, logger, jobs: [job] });
    clock.setMs(T0 + HOUR);
    const [report] = await scheduler.tick();
    expect(report).toMatchObject({ outcome: 'failed', detail: { error: 'boom', code: 'E_TEST' } });
    const [row] = await listJobRuns(db.pool, { job: 'failing' });
    expect(row).toMatchObject({ outcome: 'failed', detail: { error: 'boom' } });
    expect(row?.finishedAt).not.toBeNull();
    await scheduler.stop();
  });

  it('writes interval runs that did something or failed, and not idle ones', async () => {
    const clock = new ManualClock(T0);
    let idle = true;
    const { job, runs } = countingJob('sweep', { everyMs: 5_000 }, async () => ({ detail: { idle }, idle }));
    const scheduler = new JobScheduler({ pool: db.pool, clock, logger, jobs: [job] });
    clock.advanceMs(4_999);
    await scheduler.tick();
    expect(runs).toHaveLength(0);
    clock.advanceMs(1);
    await scheduler.tick();
    idle = false;
    clock.advanceMs(5_000);
    await scheduler.tick();
    expect(runs).toHaveLength(2);
    const rows = await listJobRuns(db.pool, { job: 'sweep' });
    expect(rows.map((row) => row.detail)).toEqual([{ idle: false }]);
    expect(rows[0]?.trigger).toBe('interval');
    await scheduler.stop();
  });

  it('two schedulers on one database: a running job is skipped by the other, a slot is never worked twice', async () => {
    const clock = new ManualClock(T0);
    const gate = deferred();
    const started = deferred();
    let executions = 0;
    const make = (instanceId: string) =>
      new JobScheduler({
        pool: db.pool,
        clock,
        logger,
        instanceId,
        jobs: [
          {
            name: 'exclusive',
            schedule: { cron: '0 * * * *' },
            async run() {
              executions += 1;
              started.resolve();
              await gate.promise;
              return { detail: {} };
            },
          },
        ],
      });
    const a = make('A');
    const b = make('B');
    clock.setMs(T0 + HOUR);
    const aTick = a.tick();
    await started.promise;
    const bReports = await b.tick();
    expect(bReports.map((r) => r.outcome)).toEqual(['skipped_locked']);
    gate.resolve();
    expect((await aTick).map((r) => r.outcome)).toEqual(['succeeded']);

    // A third instance that comes late to the same slot finds it already worked.
    const c = make('C');
    // c was created at T0 + HOUR, so its first slot is the next hour; move there and let A and C race.
    clock.setMs(T0 + 2 * HOUR);
    const raced = await Promise.all([a.tick(), c.tick(), b.tick()]);
    const outcomes = raced
      .flat()
      .map((r) => r.outcome)
      .sort();
    expect(outcomes.filter((o) => o === 'succeeded')).toHaveLength(1);
    expect(executions).toBe(2);

    const rows = await listJobRuns(db.pool, { job: 'exclusive' });
    const worked = rows
      .filter((row) => row.outcome === 'succeeded')
      .map((row) => row.scheduledFor?.toISOString());
    expect(worked.sort()).toEqual([new Date(T0 + HOUR).toISOString(), new Date(T0 + 2 * HOUR).toISOString()]);
    await Promise.all([a.stop(), b.stop(), c.stop()]);
  });

  it('many slots, three instances racing on each: every slot runs exactly once', async () => {
    const clock = new ManualClock(T0);
    const worked: number[] = [];
    const make = (instanceId: string) =>
      new JobScheduler({
        pool: db.pool,
        clock,
        logger,
        instanceId,
        jobs: [
          {
            name: 'race',
            schedule: { cron: '*/5 * * * *' },
            async run(context) {
              worked.push(context.nowMs);
              await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 5)));
              return { detail: {} };
            },
          },
        ],
      });
    const instances = [make('x'), make('y'), make('z')];
    const slots = 24;
    for (let slot = 1; slot <= slots; slot++) {
      clock.setMs(T0 + slot * 5 * 60_000 + Math.floor(Math.random() * 1000));
      await Promise.all(instances.map((s) => s.tick()));
    }
    expect(worked).toHaveLength(slots);
    const rows = await listJobRuns(db.pool, { job: 'race', limit: 1000 });
    const succeeded = rows.filter((row) => row.outcome === 'succeeded');
    expect(succeeded).toHaveLength(slots);
    expect(new Set(succeeded.map((row) => row.scheduledFor?.getTime())).size).toBe(slots);
    expect(rows.length).toBe(slots * 3);
    await Promise.all(instances.map((s) => s.stop()));
  });

  it('runNow runs a job outside its schedule as a manual run; the timer loop runs due jobs by itself', async () => {
    const clock = new ManualClock(T0);
    const { job, runs } = countingJob('manual', { cron: '15 0 * * *' });
    const fast = countingJob('fast', { everyMs: 100 }, async () => ({ detail: {}, idle: true }));
    const scheduler = new JobScheduler({
      pool: db.pool,
      clock,
      logger,
      jobs: [job, fast.job],
      maxSleepMs: 10,
    });
    const report = await scheduler.runNow('manual');
    expect(report).toMatchObject({ outcome: 'succeeded', trigger: 'manual' });
    expect(runs).toHaveLength(1);
    scheduler.start();
    clock.advanceMs(100);
    const deadline = Date.now() + 5_000;
    while (fast.runs.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(fast.runs.length).toBeGreaterThan(0);
    await scheduler.stop();
  });

  it('refuses bad definitions', () => {
    const clock = new ManualClock(T0);
    const bad = (jobs: JobDefinition[]) => () => new JobScheduler({ pool: db.pool, clock, logger, jobs });
    const job = (name: string, schedule: JobDefinition['schedule']): JobDefinition => ({
      name,
      schedule,
      run: async () => ({ detail: {} }),
    });
    expect(bad([job('Bad Name', { everyMs: 1000 })])).toThrow(/invalid job name/);
    expect(bad([job('x', { cron: 'not a cron' })])).toThrow(/invalid cron pattern/);
    expect(bad([job('x', { everyMs: 1 })])).toThrow(/interval/);
    expect(bad([job('x', { everyMs: 1000 }), job('x', { everyMs: 1000 })])).toThrow(/two jobs/);
  });
});
