import type pg from 'pg';

/** The figures of refresh_execution_stats_24h() / execution_stats_24h_now(), as the API shows them. */
export interface ExecutionStatsFigures {
  readonly windowStart: string;
  readonly windowEnd: string;
  readonly totalExecutions: number;
  readonly submitted: number;
  readonly filled: number;
  readonly rejected: number;
  readonly hardFailures: number;
  readonly softFailures: number;
  readonly reconciled: number;
  /** soft failures / executions past the gates, in percent (2 decimals) as a string. */
  readonly recoveryRatePct: string;
  readonly p50SubmitLatencyMs: string | null;
  readonly p95SubmitLatencyMs: string | null;
  readonly createdAt: string;
}

export interface UserStatsSummary {
  readonly users: number;
  readonly executionsPastGates: number;
  readonly successful: number;
  readonly reconciled: number;
}

interface FiguresRow {
  window_start: Date;
  window_end: Date;
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
  created_at: Date;
}

function figures(row: FiguresRow): ExecutionStatsFigures {
  return {
    windowStart: row.window_start.toISOString(),
    windowEnd: row.window_end.toISOString(),
    totalExecutions: Number(row.total_executions),
    submitted: Number(row.submitted),
    filled: Number(row.filled),
    rejected: Number(row.rejected),
    hardFailures: Number(row.hard_failures),
    softFailures: Number(row.soft_failures),
    reconciled: Number(row.reconciled),
    recoveryRatePct: row.recovery_rate_pct,
    p50SubmitLatencyMs: row.p50_submit_latency_ms,
    p95SubmitLatencyMs: row.p95_submit_latency_ms,
    createdAt: row.created_at.toISOString(),
  };
}

/** The last 24 hours as of now (not stored). */
export async function executionStatsNow(db: pg.Pool): Promise<ExecutionStatsFigures> {
  const result = await db.query<FiguresRow>('SELECT * FROM execution_stats_24h_now()');
  const row = result.rows[0];
  if (!row) throw new Error('execution_stats_24h_now() returned no row');
  return figures(row);
}

/** The latest row the daily stats job stored, or null. */
export async function latestStoredStats(db: pg.Pool): Promise<ExecutionStatsFigures | null> {
  const result = await db.query<FiguresRow>(
    'SELECT * FROM execution_stats_24h ORDER BY created_at DESC, id DESC LIMIT 1',
  );
  const row = result.rows[0];
  return row ? figures(row) : null;
}

/** Totals over user_execution_stats (whole history). */
export async function userStatsSummary(db: pg.Pool): Promise<UserStatsSummary> {
  const result = await db.query<{
    users: string;
    past: string | null;
    successful: string | null;
    reconciled: string | null;
  }>(
    `SELECT count(*) AS users, sum(executions_past_gates) AS past, sum(successful) AS successful,
            sum(reconciled) AS reconciled FROM user_execution_stats`,
  );
  const row = result.rows[0];
  return {
    users: Number(row?.users ?? 0),
    executionsPastGates: Number(row?.past ?? 0),
    successful: Number(row?.successful ?? 0),
    reconciled: Number(row?.reconciled ?? 0),
  };
}
