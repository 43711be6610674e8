import type pg from 'pg';
import type { Logger } from 'pino';
import type { Clock } from '../../domain/ports/clock';
import type { JobDefinition, JobRunDetail, JobRunReport, JobTrigger } from './jobDefinition';
import { claimJobRun, finishJobRun, recordFinishedJobRun } from './jobRunsRepository';

/**
 * The first key of the two-key advisory lock: this schema's job locks. The second key is
 * `hashtext(job name)`. Migrations use a different single-key lock (7264001), so they cannot collide.
 */
export const JOB_LOCK_NAMESPACE = 7_264_020;

export interface RunJobOptions {
  readonly pool: pg.Pool;
  readonly job: JobDefinition;
  readonly trigger: JobTrigger;
  /** The cron slot being worked; `null` for interval and manual runs. */
  readonly scheduledForMs: number | null;
  readonly instanceId: string;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly signal: AbortSignal;
}

function errorDetail(error: unknown): JobRunDetail {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  return { error: message.slice(0, 1000), ...(typeof code === 'string' ? { code } : {}) };
}

/**
 * Runs one job once, under `pg_try_advisory_lock` held on a connection of its own for the whole run.
 * A job already running on another instance is not waited for: this attempt is recorded as
 * `skipped_locked`. A cron slot already worked (by any instance) is recorded as `skipped_already_ran`.
 * Never throws for a failing job: the failure is the report's outcome.
 */
export async function runJobWithLock(options: RunJobOptions): Promise<JobRunReport> {
  const { pool, job, trigger, scheduledForMs, instanceId, clock, logger } = options;
  const startedAtMs = clock.nowMs();
  const base = { job: job.name, trigger, scheduledForMs, instanceId, startedAtMs };
  const client = await pool.connect();
  let locked = false;
  let broken: Error | undefined;
  try {
    const lock = await client.query<{ locked: boolean }>(
      'SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked',
      [JOB_LOCK_NAMESPACE, job.name],
    );
    locked = lock.rows[0]?.locked === true;
    if (!locked) {
      const detail = { reason: 'the job is running on another instance' };
      // Interval jobs collide all the time when several instances run; only cron and manual runs say so.
      const runId =
        trigger === 'interval'
          ? null
          : await recordFinishedJobRun(client, {
              ...base,
              outcome: 'skipped_locked',
              finishedAtMs: startedAtMs,
              detail,
            });
      return {
        job: job.name,
        trigger,
        outcome: 'skipped_locked',
        startedAtMs,
        finishedAtMs: startedAtMs,
        detail,
        runId,
      };
    }

    let runId: string | null = null;
    if (trigger !== 'interval') {
      runId = await claimJobRun(client, base);
      if (runId === null) {
        const detail = {
          reason: 'this slot was already run',
          scheduledFor: new Date(scheduledForMs ?? 0).toISOString(),
        };
        const skippedId = await recordFinishedJobRun(client, {
          ...base,
          outcome: 'skipped_already_ran',
          finishedAtMs: startedAtMs,
          detail,
        });
        return {
          job: job.name,
          trigger,
          outcome: 'skipped_already_ran',
          startedAtMs,
          finishedAtMs: startedAtMs,
          detail,
          runId: skippedId,
        };
      }
    }

    let outcome: 'succeeded' | 'failed';
    let detail: JobRunDetail;
    let idle = false;
    try {
      const result = await job.run({
        nowMs: startedAtMs,
        signal: options.signal,
        logger: logger.child({ job: job.name }),
      });
      outcome = 'succeeded';
      detail = result.detail;
      idle = result.idle === true;
    } catch (error) {
      outcome = 'failed';
      detail = errorDetail(error);
      logger.error({ job: job.name, trigger, err: detail }, 'job run failed');
    }
    const finishedAtMs = clock.nowMs();
    if (runId !== null) await finishJobRun(client, runId, outcome, finishedAtMs, detail);
    else if (!idle || outcome === 'failed') {
      runId = await recordFinishedJobRun(client, { ...base, outcome, finishedAtMs, detail });
    }
    return { job: job.name, trigger, outcome, startedAtMs, finishedAtMs, detail, runId };
  } catch (error) {
    broken = error as Error;
    throw error;
  } finally {
    if (locked) {
      await client
        .query('SELECT pg_advisory_unlock($1, hashtext($2))', [JOB_LOCK_NAMESPACE, job.name])
        .catch((error: Error) => {
          broken = error;
        });
    }
    // A connection whose unlock failed must not go back to the pool still holding the lock.
    client.release(broken);
  }
}
