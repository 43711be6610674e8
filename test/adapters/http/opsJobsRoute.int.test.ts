import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobsOverviewSchema } from '../../../src/adapters/http/routes/opsJobsRoutes';
import { EXPECTED_JOB_NAMES } from '../../../src/jobs/jobRegistry';
import { jobsModule, type JobsModule } from '../../../src/jobs/jobsModule';
import { upsertHeartbeats } from '../../../src/jobs/scheduler/jobHeartbeatsRepository';
import { recordFinishedJobRun } from '../../../src/jobs/scheduler/jobRunsRepository';
import { startTestApp, type TestApp } from '../../support/appHarness';

const INSTANCE = 'route-test:1';
const MINUTE = 60_000;

describe('GET /v1/ops/jobs', () => {
  let t: TestApp;
  let jobs: JobsModule;
  beforeAll(async () => {
    jobs = jobsModule({ autoStartScheduler: false, startupReconciliation: false, instanceId: INSTANCE });
    t = await startTestApp({ overrides: { modules: [jobs] } });
  });
  afterAll(async () => {
    await t?.close();
  });

  const get = (key?: string) => t.request('GET', '/v1/ops/jobs', key === undefined ? {} : { key });

  it('is for ops keys only', async () => {
    expect((await get()).status).toBe(401);
    expect((await get()).body['error']).toMatchObject({ code: 'UNAUTHORIZED' });
    expect((await get(t.keys.alice)).status).toBe(403);
    expect((await get(t.keys.alice)).body['error']).toMatchObject({ code: 'FORBIDDEN' });
    expect((await get(t.keys.ops)).status).toBe(200);
    expect((await t.request('GET', '/v1/ops/jobs?verbose=1', { key: t.keys.ops })).status).toBe(400);
  });

  it('lists every expected job even when no instance runs it', async () => {
    // The registry names exactly what the jobs module schedules.
    expect(jobs.handles().scheduler!.jobNames).toEqual([...EXPECTED_JOB_NAMES]);
    const answer = await get(t.keys.ops);
    const body = jobsOverviewSchema.parse(answer.body);
    expect(body.jobs.map((job) => job.job)).toEqual([...EXPECTED_JOB_NAMES]);
    for (const job of body.jobs) {
      expect(job).toMatchObject({ expected: true, liveInstances: [], instances: [], nextDueAt: null });
    }
  });

  it('shows the live instance, its schedules, last runs and next due times; a dead instance as dead', async () => {
    const nowMs = Date.now();
    await jobs.handles().scheduler!.tick();
    // An instance that stopped beating ten minutes ago, with a job no longer deployed.
    await upsertHeartbeats(
      t.db.pool,
      'dead-host:9',
      [
        { job: 'invariants', cron: '0 * * * *', everyMs: null, nextDueMs: nowMs },
        { job: 'retired', cron: null, everyMs: 1_000, nextDueMs: nowMs },
      ],
      nowMs - 10 * MINUTE,
      true,
    );
    // A stats run recorded in job_runs (by an instance long gone): the last run survives restarts.
    await recordFinishedJobRun(t.db.pool, {
      job: 'stats',
      instanceId: 'old-host:3',
      trigger: 'schedule',
      scheduledForMs: nowMs - 60 * MINUTE,
      startedAtMs: nowMs - 60 * MINUTE,
      finishedAtMs: nowMs - 59 * MINUTE,
      outcome: 'succeeded',
      detail: {},
    });

    const answer = await get(t.keys.ops);
    expect(answer.status).toBe(200);
    const body = jobsOverviewSchema.parse(answer.body);
    expect(body.staleAfterMs).toBe(90_000);
    expect(body.jobs.map((job) => job.job)).toEqual([...EXPECTED_JOB_NAMES, 'retired']);
    const byName = new Map(body.jobs.map((job) => [job.job, job]));

    const invariants = byName.get('invariants')!;
    expect(invariants).toMatchObject({
      expected: true,
      schedule: { cron: '0 * * * *', everyMs: null },
      liveInstances: [INSTANCE],
    });
    expect(invariants.instances.map((instance) => [instance.instanceId, instance.alive])).toEqual([
      [INSTANCE, true],
      ['dead-host:9', false],
    ]);
    // The next full hour.
    expect(Date.parse(invariants.nextDueAt!) % (60 * MINUTE)).toBe(0);
    expect(Date.parse(invariants.nextDueAt!)).toBeGreaterThan(nowMs);
    expect(Date.parse(invariants.lastHeartbeatAt!)).toBeGreaterThanOrEqual(nowMs);

    expect(byName.get('reconcile')).toMatchObject({
      schedule: { cron: null, everyMs: 5_000 },
      liveInstances: [INSTANCE],
      lastRun: null,
    });
    expect(byName.get('stats')).toMatchObject({
      schedule: { cron: '15 0 * * *', everyMs: null },
      lastRun: { instanceId: 'old-host:3', outcome: 'succeeded' },
    });
    expect(byName.get('retired')).toMatchObject({
      expected: false,
      liveInstances: [],
      nextDueAt: null,
      instances: [{ instanceId: 'dead-host:9', alive: false }],
    });
  });

  it('a run on the instance shows as its last run', async () => {
    const scheduler = jobs.handles().scheduler!;
    const report = await scheduler.runNow('promotions');
    const body = jobsOverviewSchema.parse((await get(t.keys.ops)).body);
    const promotions = body.jobs.find((job) => job.job === 'promotions')!;
    expect(promotions.lastRun).toMatchObject({
      instanceId: INSTANCE,
      outcome: report.outcome,
      startedAt: new Date(report.startedAtMs).toISOString(),
    });
    expect(promotions.instances[0]?.lastRun?.outcome).toBe(report.outcome);
  });

  it('is in the OpenAPI document with its response schema', async () => {
    const doc = (await t.request('GET', '/docs/json')).body as {
      paths: Record<string, Record<string, { responses?: Record<string, unknown>; tags?: string[] }>>;
    };
    const operation = doc.paths['/v1/ops/jobs']?.['get'];
    expect(operation?.tags).toEqual(['ops']);
    expect(Object.keys(operation?.responses ?? {})).toEqual(expect.arrayContaining(['200', '401', '403']));
  });
});
