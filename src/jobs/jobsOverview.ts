import type pg from 'pg';
import { EXPECTED_JOB_NAMES } from './jobRegistry';
import { HEARTBEAT_STALE_AFTER_MS } from './scheduler/JobHeartbeat';
import {
  listHeartbeats,
  type HeartbeatRunOutcome,
  type JobHeartbeatRow,
} from './scheduler/jobHeartbeatsRepository';

type Queryable = Pick<pg.ClientBase, 'query'>;

export interface JobRunView {
  readonly instanceId: string;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly outcome: HeartbeatRunOutcome;
}

export interface JobInstanceView {
  readonly instanceId: string;
  /** Heartbeat within `staleAfterMs`. */
  readonly alive: boolean;
  readonly registeredAt: string;
  readonly heartbeatAt: string;
  /** The last attempt there, any outcome (idle interval runs and lock skips included). */
  readonly lastRun: JobRunView | null;
  readonly nextDueAt: string | null;
}

export interface JobOverview {
  readonly job: string;
  /** One of the jobs every deployment must run (src/jobs/jobRegistry.ts). */
  readonly expected: boolean;
  /** As the freshest registration says; `null` when no instance ever registered it. */
  readonly schedule: { readonly cron: string | null; readonly everyMs: number | null } | null;
  readonly liveInstances: string[];
  readonly lastHeartbeatAt: string | null;
  /** The latest run that did work (running, succeeded or failed), from heartbeats or `job_runs`. */
  readonly lastRun: JobRunView | null;
  /** The earliest next due time on a live instance. */
  readonly nextDueAt: string | null;
  readonly instances: JobInstanceView[];
}

export interface JobsOverview {
  readonly checkedAt: string;
  readonly staleAfterMs: number;
  readonly jobs: JobOverview[];
}

const WORKED: readonly HeartbeatRunOutcome[] = ['running', 'succeeded', 'failed'];
const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

/** The newest run of each job in `job_runs` that did work (the index on (job, started_at) per job). */
async function lastRecordedRuns(db: Queryable, jobs: readonly string[]): Promise<Map<string, JobRunView>> {
  const result = await db.query<{
    job: string;
    instance_id: string;
    started_at: Date;
    finished_at: Date | null;
    outcome: HeartbeatRunOutcome;
  }>(
    `SELECT j.job, r.instance_id, r.started_at, r.finished_at, r.outcome
       FROM unnest($1::text[]) AS j(job)
       CROSS JOIN LATERAL (
         SELECT instance_id, started_at, finished_at, outcome FROM job_runs
          WHERE job = j.job AND outcome IN ('running', 'succeeded', 'failed')
          ORDER BY started_at DESC LIMIT 1) r`,
    [jobs],
  );
  return new Map(
    result.rows.map((row) => [
      row.job,
      {
        instanceId: row.instance_id,
        startedAt: row.started_at.toISOString(),
        finishedAt: row.finished_at?.toISOString() ?? null,
        outcome: row.outcome,
      },
    ]),
  );
}

function runOf(row: JobHeartbeatRow): JobRunView | null {
  if (row.lastRunStartedAtMs === null || row.lastRunOutcome === null) return null;
  return {
    instanceId: row.instanceId,
    startedAt: iso(row.lastRunStartedAtMs),
    finishedAt: isoOrNull(row.lastRunFinishedAtMs),
    outcome: row.lastRunOutcome,
  };
}

function overviewOf(
  job: string,
  rows: readonly JobHeartbeatRow[],
  recorded: JobRunView | undefined,
  isAlive: (row: JobHeartbeatRow) => boolean,
): JobOverview {
  const live = rows.filter(isAlive);
  const freshest = rows[0];
  let lastRun: JobRunView | null = recorded ?? null;
  for (const row of rows) {
    const run = runOf(row);
    if (run === null || !WORKED.includes(run.outcome)) continue;
    if (lastRun === null || run.startedAt > lastRun.startedAt) lastRun = run;
  }
  const nextDue = live.flatMap((row) => (row.nextDueAtMs === null ? [] : [row.nextDueAtMs]));
  return {
    job,
    expected: EXPECTED_JOB_NAMES.includes(job),
    schedule: freshest === undefined ? null : { cron: freshest.cron, everyMs: freshest.everyMs },
    liveInstances: live.map((row) => row.instanceId),
    lastHeartbeatAt: freshest === undefined ? null : iso(freshest.heartbeatAtMs),
    lastRun,
    nextDueAt: nextDue.length === 0 ? null : iso(Math.min(...nextDue)),
    instances: rows.map((row) => ({
      instanceId: row.instanceId,
      alive: isAlive(row),
      registeredAt: iso(row.registeredAtMs),
      heartbeatAt: iso(row.heartbeatAtMs),
      lastRun: runOf(row),
      nextDueAt: isoOrNull(row.nextDueAtMs),
    })),
  };
}

/**
 * Every known job (the expected ones first, then any other an instance registered): its schedule,
 * the live instances running it, the last heartbeat, the last run and when it is next due. A row
 * whose heartbeat is older than `staleAfterMs` by `nowMs` belongs to a dead instance.
 */
export async function readJobsOverview(
  db: Queryable,
  options: { readonly nowMs: number; readonly staleAfterMs?: number },
): Promise<JobsOverview> {
  const staleAfterMs = options.staleAfterMs ?? HEARTBEAT_STALE_AFTER_MS;
  const heartbeats = await listHeartbeats(db);
  const byJob = new Map<string, JobHeartbeatRow[]>();
  for (const row of heartbeats) {
    const rows = byJob.get(row.job);
    if (rows === undefined) byJob.set(row.job, [row]);
    else rows.push(row);
  }
  const others = [...byJob.keys()].filter((job) => !EXPECTED_JOB_NAMES.includes(job)).sort();
  const jobs = [...EXPECTED_JOB_NAMES, ...others];
  const recorded = await lastRecordedRuns(db, jobs);
  const isAlive = (row: JobHeartbeatRow) => options.nowMs - row.heartbeatAtMs <= staleAfterMs;
  return {
    checkedAt: iso(options.nowMs),
    staleAfterMs,
    jobs: jobs.map((job) => overviewOf(job, byJob.get(job) ?? [], recorded.get(job), isAlive)),
  };
}
