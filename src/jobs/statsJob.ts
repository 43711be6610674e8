import type pg from 'pg';
import type { JobDefinition, JobRunResult } from './scheduler/jobDefinition';
import { pruneJobRuns } from './scheduler/jobRunsRepository';

export const STATS_JOB_NAME = 'stats';
/** `job_runs` rows older than this are deleted by the daily stats run. */
export const JOB_RUNS_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

interface StatsRow {
  total_executions: string;
  submitted: string;
  filled: string;
  rejected: string;
  hard_failures: string;
  soft_failures: string;
  reconciled: string;
  recovery_rate_pct: string;
  p50_submit_latency_ms: string | null;
  p95_submit_latency_ms: string | null;
  stored: boolean;
}

/**
 * Daily at 00:15 UTC: `refresh_execution_stats_24h()` stores the last 24 hours' figures (no row when
 * nothing passed the gates), and old `job_runs` rows are pruned.
 */
export function statsJob(deps: { readonly pool: pg.Pool }, schedule = { cron: '15 0 * * *' }): JobDefinition {
  return {
    name: STATS_JOB_NAME,
    schedule,
    async run(context): Promise<JobRunResult> {
      const result = await deps.pool.query<StatsRow>('SELECT * FROM refresh_execution_stats_24h()');
      const row = result.rows[0];
      const pruned = await pruneJobRuns(deps.pool, context.nowMs - JOB_RUNS_RETENTION_MS);
      // Counts come back as strings (bigint/numeric): kept as they are, never turned into floats.
      return {
        detail: row
          ? {
              stored: row.stored,
              totalExecutions: row.total_executions,
              submitted: row.submitted,
              filled: row.filled,
              rejected: row.rejected,
              hardFailures: row.hard_failures,
              softFailures: row.soft_failures,
              reconciled: row.reconciled,
              recoveryRatePct: row.recovery_rate_pct,
              p50SubmitLatencyMs: row.p50_submit_latency_ms,
              p95SubmitLatencyMs: row.p95_submit_latency_ms,
              jobRunsPruned: pruned,
            }
          : { stored: false, jobRunsPruned: pruned },
      };
    },
  };
}
