import type pg from 'pg';
import type { JobOutcome, JobRunDetail, JobTrigger } from './jobDefinition';

/** `job_runs.detail` is capped so that a job reporting too much cannot bloat the table. */
export const MAX_DETAIL_JSON_CHARS = 8_000;

type Queryable = Pick<pg.ClientBase, 'query'>;

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function boundedDetail(detail: JobRunDetail): JobRunDetail {
  const json = JSON.stringify(detail);
  if (json.length <= MAX_DETAIL_JSON_CHARS) return detail;
  return { truncated: true, preview: json.slice(0, MAX_DETAIL_JSON_CHARS - 100) };
}

export interface NewJobRun {
  readonly job: string;
  readonly instanceId: string;
  readonly trigger: JobTrigger;
  readonly scheduledForMs: number | null;
  readonly startedAtMs: number;
}

/**
 * Claims a run: a `running` row. For a cron slot the claim fails (returns null) when any instance
 * already claimed that slot, which is how one slot is never worked twice.
 */
export async function claimJobRun(db: Queryable, run: NewJobRun): Promise<string | null> {
  const result = await db.query<{ id: string }>(
    `INSERT INTO job_runs (job, instance_id, trigger, scheduled_for, started_at, outcome)
     VALUES ($1, $2, $3, $4, $5, 'running')
     ON CONFLICT (job, scheduled_for)
       WHERE scheduled_for IS NOT NULL AND outcome IN ('running', 'succeeded', 'failed')
       DO NOTHING
     RETURNING id::text`,
    [
      run.job,
      run.instanceId,
      run.trigger,
      run.scheduledForMs === null ? null : iso(run.scheduledForMs),
      iso(run.startedAtMs),
    ],
  );
  return result.rows[0]?.id ?? null;
}

export async function finishJobRun(
  db: Queryable,
  runId: string,
  outcome: 'succeeded' | 'failed',
  finishedAtMs: number,
  detail: JobRunDetail,
): Promise<void> {
  await db.query(`UPDATE job_runs SET outcome = $2, finished_at = $3, detail = $4 WHERE id = $1`, [
    runId,
    outcome,
    iso(finishedAtMs),
    JSON.stringify(boundedDetail(detail)),
  ]);
}

/** A whole run in one row: skipped runs, and interval runs that are written only once they are over. */
export async function recordFinishedJobRun(
  db: Queryable,
  run: NewJobRun & {
    readonly outcome: JobOutcome;
    readonly finishedAtMs: number;
    readonly detail: JobRunDetail;
  },
): Promise<string> {
  const result = await db.query<{ id: string }>(
    `INSERT INTO job_runs (job, instance_id, trigger, scheduled_for, started_at, finished_at, outcome, detail)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     RETURNING id::text`,
    [
      run.job,
      run.instanceId,
      run.trigger,
      run.scheduledForMs === null ? null : iso(run.scheduledForMs),
      iso(run.startedAtMs),
      iso(run.finishedAtMs),
      run.outcome,
      JSON.stringify(boundedDetail(run.detail)),
    ],
  );
  const id = result.rows[0]?.id;
  if (id === undefined) throw new Error('job_runs insert returned no id');
  return id;
}

export interface JobRunRow {
  readonly id: string;
  readonly job: string;
  readonly instanceId: string;
  readonly trigger: JobTrigger;
  readonly scheduledFor: Date | null;
  readonly startedAt: Date;
  readonly finishedAt: Date | null;
  readonly outcome: JobOutcome | 'running';
  readonly detail: JobRunDetail;
}

/** The latest runs, newest first (for operators, the dashboard and tests). */
export async function listJobRuns(
  db: Queryable,
  options: { readonly job?: string; readonly limit?: number } = {},
): Promise<JobRunRow[]> {
  const limit = Math.min(Math.max(1, options.limit ?? 50), 1000);
  const result = await db.query<{
    id: string;
    job: string;
    instance_id: string;
    trigger: JobTrigger;
    scheduled_for: Date | null;
    started_at: Date;
    finished_at: Date | null;
    outcome: JobOutcome | 'running';
    detail: JobRunDetail;
  }>(
    `SELECT id::text, job, instance_id, trigger, scheduled_for, started_at, finished_at, outcome, detail
       FROM job_runs
      WHERE ($1::text IS NULL OR job = $1)
      ORDER BY started_at DESC, id DESC
      LIMIT $2`,
    [options.job ?? null, limit],
  );
  return result.rows.map((row) => ({
    id: row.id,
    job: row.job,
    instanceId: row.instance_id,
    trigger: row.trigger,
    scheduledFor: row.scheduled_for,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    outcome: row.outcome,
    detail: row.detail,
  }));
}

/** The last successful finish of each job (seeds the "last success" metric after a restart). */
export async function lastSuccessByJob(db: Queryable): Promise<Map<string, number>> {
  const result = await db.query<{ job: string; finished_at: Date }>(
    `SELECT job, max(finished_at) AS finished_at FROM job_runs WHERE outcome = 'succeeded' GROUP BY job`,
  );
  return new Map(result.rows.map((row) => [row.job, row.finished_at.getTime()]));
}

/** Old rows go; the detail of a run is for days, not for ever. Returns the rows deleted. */
export async function pruneJobRuns(db: Queryable, olderThanMs: number, maxRows = 100_000): Promise<number> {
  const result = await db.query(
    `DELETE FROM job_runs WHERE id IN (
       SELECT id FROM job_runs WHERE started_at < $1 ORDER BY id LIMIT $2)`,
    [iso(olderThanMs), maxRows],
  );
  return result.rowCount ?? 0;
}
