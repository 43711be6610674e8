import type { Logger } from 'pino';

/** A cron pattern (5 fields, evaluated in UTC) or a fixed interval. */
export type JobSchedule = { readonly cron: string } | { readonly everyMs: number };

/** Free-form facts about a run, stored in `job_runs.detail` (keep it small: counts, ids, messages). */
export type JobRunDetail = Record<string, unknown>;

export interface JobRunResult {
  readonly detail: JobRunDetail;
  /**
   * True when the run found nothing to do. Idle runs of interval jobs are not written to `job_runs`
   * (a sweeper every 5 s would write 17,280 rows a day to say "nothing"); they still count as a success.
   */
  readonly idle?: boolean;
}

export interface JobContext {
  /** The scheduler's clock at the start of the run. */
  readonly nowMs: number;
  /** Aborted when the scheduler stops: finish the item at hand and return. */
  readonly signal: AbortSignal;
  readonly logger: Logger;
}

export interface JobDefinition {
  /** Stable, lower-case: it names the advisory lock, the `job_runs` rows and the metrics label. */
  readonly name: string;
  readonly schedule: JobSchedule;
  run(context: JobContext): Promise<JobRunResult>;
}

export type JobTrigger = 'schedule' | 'interval' | 'manual';

export type JobOutcome = 'succeeded' | 'failed' | 'skipped_locked' | 'skipped_already_ran';

/** What one attempt to run a job came to. */
export interface JobRunReport {
  readonly job: string;
  readonly trigger: JobTrigger;
  readonly outcome: JobOutcome;
  readonly startedAtMs: number;
  readonly finishedAtMs: number;
  readonly detail: JobRunDetail;
  /** The `job_runs` row, when one was written. */
  readonly runId: string | null;
}

export const JOB_NAME_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;
