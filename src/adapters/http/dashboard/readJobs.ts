import type pg from 'pg';
import { readJobsOverview, type JobOverview } from '../../../jobs/jobsOverview';
import type { Dashboard } from './dashboardSchema';

/** At most this many jobs on the card (the scheduler itself runs at most 50 per instance). */
export const MAX_JOBS = 50;
const MAX_DETAIL_CHARS = 300;

const iso = (value: Date | null): string | null => (value === null ? null : value.toISOString());
const clip = (text: string): string =>
  text.length > MAX_DETAIL_CHARS ? `${text.slice(0, MAX_DETAIL_CHARS)}…` : text;

interface RecordedRun {
  readonly job: string;
  readonly started_at: Date | null;
  readonly finished_at: Date | null;
  readonly outcome: string | null;
  readonly detail: Record<string, unknown> | null;
  readonly last_success_at: Date | null;
}

/** The latest run that did work and the latest success of each job that ever ran (`job_runs`). */
async function readRecordedRuns(db: pg.Pool): Promise<RecordedRun[]> {
  // The job names by a loose index scan over job_runs_by_job_recent (one probe per job, however
  // many runs an every-few-seconds job has recorded), then the latest run and the latest success.
  const result = await db.query<RecordedRun>(
    `WITH RECURSIVE names AS (
       (SELECT job FROM job_runs ORDER BY job LIMIT 1)
       UNION ALL
       SELECT (SELECT r.job FROM job_runs r WHERE r.job > names.job ORDER BY r.job LIMIT 1)
         FROM names WHERE names.job IS NOT NULL
     )
     SELECT n.job, last.started_at, last.finished_at, last.outcome, last.detail, ok.finished_at AS last_success_at
       FROM (SELECT job FROM names WHERE job IS NOT NULL LIMIT $1) n
       LEFT JOIN LATERAL (SELECT started_at, finished_at, outcome, detail FROM job_runs r
                           WHERE r.job = n.job AND r.outcome NOT IN ('skipped_locked', 'skipped_already_ran')
                           ORDER BY started_at DESC LIMIT 1) last ON true
       LEFT JOIN LATERAL (SELECT finished_at FROM job_runs r
                           WHERE r.job = n.job AND r.outcome = 'succeeded' ORDER BY started_at DESC LIMIT 1) ok ON true
      ORDER BY n.job`,
    [MAX_JOBS],
  );
  return result.rows;
}

/**
 * The jobs card: every job a deployment must run (listed even before any instance registered it),
 * every job an instance registered, and every job that ever ran; for each, its last run and last
 * success (`job_runs`) and which live instances run it now (`job_heartbeats`). An expected job with
 * no live instance is what an operator must see first: nothing is running it.
 */
export async function readJobs(db: pg.Pool, nowMs: number): Promise<Dashboard['jobs']> {
  const [recorded, overview] = await Promise.all([readRecordedRuns(db), readJobsOverview(db, { nowMs })]);
  const runs = new Map(recorded.map((run) => [run.job, run]));
  const registered = new Map(overview.jobs.map((job) => [job.job, job]));
  const names = [...new Set([...overview.jobs.map((job) => job.job), ...runs.keys()])].slice(0, MAX_JOBS);
  return names.map((name) => jobRow(name, runs.get(name), registered.get(name)));
}

function jobRow(job: string, run: RecordedRun | undefined, heartbeat: JobOverview | undefined) {
  const startedAt = run?.started_at ?? null;
  const finishedAt = run?.finished_at ?? null;
  const detail = run?.detail ?? null;
  return {
    job,
    expected: heartbeat?.expected ?? false,
    liveInstances: heartbeat?.liveInstances.length ?? 0,
    lastHeartbeatAt: heartbeat?.lastHeartbeatAt ?? null,
    nextDueAt: heartbeat?.nextDueAt ?? null,
    lastRunAt: iso(startedAt),
    outcome: run?.outcome ?? 'unknown',
    durationMs: startedAt !== null && finishedAt !== null ? finishedAt.getTime() - startedAt.getTime() : null,
    lastSuccessAt: iso(run?.last_success_at ?? null),
    detail: detail === null || Object.keys(detail).length === 0 ? null : clip(JSON.stringify(detail)),
  };
}
