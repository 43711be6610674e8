import type pg from 'pg';
import { lastSuccessByJob } from '../../jobs/scheduler/jobRunsRepository';

export interface ProjectionLagFigure {
  readonly name: string;
  readonly events: number;
  readonly ms: number;
}

/** The `trading-control` stream's state, as the gauges show it. */
export interface TradingControlFigure {
  readonly killSwitchEngaged: boolean;
  readonly allowedMarkets: number;
}

export interface MetricsSources {
  readonly pool: pg.Pool;
  readonly rateLimitRemaining?: () => number;
  readonly projectionLag?: () => Promise<readonly ProjectionLagFigure[]>;
  /** Read at every scrape, never cached: a kill switch engaged a second ago must show. */
  readonly tradingControl?: () => Promise<TradingControlFigure>;
  /** The exchange client's clock (its rate-limit reset times are on it); default `Date.now`. */
  readonly nowMs?: () => number;
}

export interface DatabaseFigures {
  readonly executionsByStatus: Record<string, number>;
  readonly softFailures: number;
  readonly hardFailures: number;
  readonly reconcileAttempts: number;
  readonly invariantViolations: Record<string, number>;
  readonly projectionLag: readonly ProjectionLagFigure[];
  readonly jobLastSuccessMs: Record<string, number>;
}

/** One pass over the read models for a scrape (each query is one index or table scan). */
export async function readDatabaseFigures(sources: MetricsSources): Promise<DatabaseFigures> {
  const { pool } = sources;
  const [executions, invariants, jobs, lag] = await Promise.all([
    pool.query<{ status: string; executions: string; soft: string; hard: string; attempts: string }>(
      `SELECT status,
              count(*) AS executions,
              count(*) FILTER (WHERE needed_reconciliation) AS soft,
              count(*) FILTER (WHERE status = 'FAILED' AND end_reason IS NULL) AS hard,
              coalesce(sum(reconcile_attempts), 0) AS attempts
         FROM trade_executions GROUP BY status`,
    ),
    pool.query<{ check_name: string; violations: number }>(
      `SELECT DISTINCT ON (check_name) check_name, violations
         FROM invariant_check_results ORDER BY check_name, ran_at DESC, id DESC`,
    ),
    lastSuccessByJob(pool),
    sources.projectionLag ? sources.projectionLag().catch(() => []) : Promise.resolve([]),
  ]);
  const executionsByStatus: Record<string, number> = {};
  let softFailures = 0;
  let hardFailures = 0;
  let reconcileAttempts = 0;
  for (const row of executions.rows) {
    executionsByStatus[row.status] = Number(row.executions);
    softFailures += Number(row.soft);
    hardFailures += Number(row.hard);
    reconcileAttempts += Number(row.attempts);
  }
  return {
    executionsByStatus,
    softFailures,
    hardFailures,
    reconcileAttempts,
    invariantViolations: Object.fromEntries(invariants.rows.map((row) => [row.check_name, row.violations])),
    projectionLag: lag,
    jobLastSuccessMs: Object.fromEntries(jobs),
  };
}
