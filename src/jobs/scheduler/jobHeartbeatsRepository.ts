import type pg from 'pg';
import type { JobOutcome } from './jobDefinition';

type Queryable = Pick<pg.ClientBase, 'query'>;

/** One job as an instance registers it: its schedule and when it is next due there. */
export interface HeartbeatJob {
  readonly job: string;
  readonly cron: string | null;
  readonly everyMs: number | null;
  readonly nextDueMs: number | null;
}

export type HeartbeatRunOutcome = JobOutcome | 'running';

export interface HeartbeatRun {
  readonly startedAtMs: number;
  readonly finishedAtMs: number | null;
  readonly outcome: HeartbeatRunOutcome;
}

/** A row of `job_heartbeats`, times as ms since the epoch. */
export interface JobHeartbeatRow {
  readonly instanceId: string;
  readonly job: string;
  readonly cron: string | null;
  readonly everyMs: number | null;
  readonly registeredAtMs: number;
  readonly heartbeatAtMs: number;
  readonly lastRunStartedAtMs: number | null;
  readonly lastRunFinishedAtMs: number | null;
  readonly lastRunOutcome: HeartbeatRunOutcome | null;
  readonly nextDueAtMs: number | null;
}

/** The table holds a few rows per instance; a read never takes more than this. */
export const MAX_HEARTBEAT_ROWS = 5_000;
const PRUNE_BATCH_ROWS = 1_000;

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/**
 * Upserts one row per job of the instance with `heartbeat_at = nowMs`. `register` (the first beat of
 * a process) also resets `registered_at` and drops the instance's rows of jobs it no longer runs.
 */
export async function upsertHeartbeats(
  db: Queryable,
  instanceId: string,
  jobs: readonly HeartbeatJob[],
  nowMs: number,
  register: boolean,
): Promise<void> {
  if (register) {
    await db.query(`DELETE FROM job_heartbeats WHERE instance_id = $1 AND NOT (job = ANY($2::text[]))`, [
      instanceId,
      jobs.map((job) => job.job),
    ]);
  }
  await db.query(
    `INSERT INTO job_heartbeats (instance_id, job, cron, every_ms, registered_at, heartbeat_at, next_due_at)
     SELECT $1, j.job, j.cron, j.every_ms, $2, $2, j.next_due
       FROM unnest($3::text[], $4::text[], $5::int[], $6::timestamptz[]) AS j(job, cron, every_ms, next_due)
     ON CONFLICT (instance_id, job) DO UPDATE
       SET cron = EXCLUDED.cron, every_ms = EXCLUDED.every_ms, heartbeat_at = EXCLUDED.heartbeat_at,
           next_due_at = EXCLUDED.next_due_at,
           registered_at = CASE WHEN $7 THEN EXCLUDED.registered_at ELSE job_heartbeats.registered_at END`,
    [
      instanceId,
      iso(nowMs),
      jobs.map((job) => job.job),
      jobs.map((job) => job.cron),
      jobs.map((job) => job.everyMs),
      jobs.map((job) => iso(job.nextDueMs)),
      register,
    ],
  );
}

/** One run of one job on the instance (its start, or its end); also a heartbeat of that row. */
export async function recordHeartbeatRun(
  db: Queryable,
  instanceId: string,
  job: HeartbeatJob,
  run: HeartbeatRun,
  nowMs: number,
): Promise<void> {
  await db.query(
    `INSERT INTO job_heartbeats (instance_id, job, cron, every_ms, registered_at, heartbeat_at,
                                 last_run_started_at, last_run_finished_at, last_run_outcome, next_due_at)
     VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8, $9)
     ON CONFLICT (instance_id, job) DO UPDATE
       SET heartbeat_at = EXCLUDED.heartbeat_at, last_run_started_at = EXCLUDED.last_run_started_at,
           last_run_finished_at = EXCLUDED.last_run_finished_at,
           last_run_outcome = EXCLUDED.last_run_outcome, next_due_at = EXCLUDED.next_due_at`,
    [
      instanceId,
      job.job,
      job.cron,
      job.everyMs,
      iso(nowMs),
      iso(run.startedAtMs),
      iso(run.finishedAtMs),
      run.outcome,
      iso(job.nextDueMs),
    ],
  );
}

/** A graceful shutdown: this instance's rows only. Returns the rows deleted. */
export async function deleteInstanceHeartbeats(db: Queryable, instanceId: string): Promise<number> {
  const result = await db.query(`DELETE FROM job_heartbeats WHERE instance_id = $1`, [instanceId]);
  return result.rowCount ?? 0;
}

/** Rows of instances silent since before `olderThanMs` (long dead), a bounded batch at a time. */
export async function pruneHeartbeats(db: Queryable, olderThanMs: number): Promise<number> {
  const result = await db.query(
    `DELETE FROM job_heartbeats WHERE (instance_id, job) IN (
       SELECT instance_id, job FROM job_heartbeats WHERE heartbeat_at < $1 LIMIT $2)`,
    [iso(olderThanMs), PRUNE_BATCH_ROWS],
  );
  return result.rowCount ?? 0;
}

const ms = (at: Date | null): number | null => (at === null ? null : at.getTime());

/** Every row, freshest heartbeat first (bounded). */
export async function listHeartbeats(db: Queryable): Promise<JobHeartbeatRow[]> {
  const result = await db.query<{
    instance_id: string;
    job: string;
    cron: string | null;
    every_ms: number | null;
    registered_at: Date;
    heartbeat_at: Date;
    last_run_started_at: Date | null;
    last_run_finished_at: Date | null;
    last_run_outcome: HeartbeatRunOutcome | null;
    next_due_at: Date | null;
  }>(
    `SELECT instance_id, job, cron, every_ms, registered_at, heartbeat_at, last_run_started_at,
            last_run_finished_at, last_run_outcome, next_due_at
       FROM job_heartbeats
      ORDER BY heartbeat_at DESC, instance_id, job
      LIMIT $1`,
    [MAX_HEARTBEAT_ROWS],
  );
  return result.rows.map((row) => ({
    instanceId: row.instance_id,
    job: row.job,
    cron: row.cron,
    everyMs: row.every_ms,
    registeredAtMs: row.registered_at.getTime(),
    heartbeatAtMs: row.heartbeat_at.getTime(),
    lastRunStartedAtMs: ms(row.last_run_started_at),
    lastRunFinishedAtMs: ms(row.last_run_finished_at),
    lastRunOutcome: row.last_run_outcome,
    nextDueAtMs: ms(row.next_due_at),
  }));
}
