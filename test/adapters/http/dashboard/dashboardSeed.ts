import { randomUUID } from 'node:crypto';
import type pg from 'pg';

export interface ExecutionRowSeed {
  readonly clientOrderId?: string;
  readonly userId?: string;
  readonly status:
    | 'SUBMITTING'
    | 'REJECTED'
    | 'SUBMITTED'
    | 'PARTIALLY_FILLED'
    | 'FILLED'
    | 'FAILED'
    | 'CANCELLED'
    | 'EXPIRED';
  readonly createdAt: Date;
  readonly updatedAt?: Date;
  readonly submittedAt?: Date | null;
  readonly endReason?: string | null;
  readonly neededReconciliation?: boolean;
  readonly reconcileAttempts?: number;
  readonly lastError?: string | null;
}

/** Rows straight into the read model: the dashboard reads the read model, whatever wrote it. */
export async function seedExecutions(pool: pg.Pool, rows: readonly ExecutionRowSeed[]): Promise<string[]> {
  const ids: string[] = [];
  for (const [index, row] of rows.entries()) {
    const id = row.clientOrderId ?? randomUUID();
    ids.push(id);
    await pool.query(
      `INSERT INTO trade_executions (client_order_id, user_id, market, side, order_type, amount_quote, status,
         request_hash, expires_at, submitting_at, submitted_at, end_reason, needed_reconciliation,
         reconcile_attempts, last_error, created_at, updated_at, stream_revision, global_position)
       VALUES ($1, $2, 'BTC-EUR', 'buy', 'market', 10, $3, 'hash', $4, $5, $6, $7, $8, $9, $10, $5, $11, 0, $12)`,
      [
        id,
        row.userId ?? 'u1',
        row.status,
        new Date(row.createdAt.getTime() + 60_000),
        row.createdAt,
        row.submittedAt ?? null,
        row.endReason ?? null,
        row.neededReconciliation ?? false,
        row.reconcileAttempts ?? 0,
        row.lastError ?? null,
        row.updatedAt ?? row.createdAt,
        index + 1,
      ],
    );
  }
  return ids;
}

export async function seedInvariantResult(
  pool: pg.Pool,
  check: string,
  ranAt: Date,
  details: readonly Record<string, unknown>[],
  violations = details.length,
): Promise<void> {
  await pool.query(
    'INSERT INTO invariant_check_results (check_name, ran_at, violations, details, ok) VALUES ($1, $2, $3, $4, $5)',
    [check, ranAt, violations, JSON.stringify(details), violations === 0],
  );
}

export async function seedJobRun(
  pool: pg.Pool,
  run: {
    job: string;
    startedAt: Date;
    finishedAt: Date | null;
    outcome: string;
    detail?: Record<string, unknown>;
  },
): Promise<void> {
  await pool.query(
    `INSERT INTO job_runs (job, instance_id, trigger, started_at, finished_at, outcome, detail)
     VALUES ($1, 'test', 'manual', $2, $3, $4, $5)`,
    [run.job, run.startedAt, run.finishedAt, run.outcome, JSON.stringify(run.detail ?? {})],
  );
}

export async function seedPendingPromotion(
  pool: pg.Pool,
  userId: string,
  pending: { fromLevel: string; toLevel: string; proposedAt: string; stats: Record<string, unknown> },
  limits: { overrideEur: string | null; effectiveEur: string | null } = {
    overrideEur: null,
    effectiveEur: '25.00',
  },
): Promise<void> {
  await pool.query(
    `INSERT INTO user_policies (user_id, trading_enabled, confidence_level, pending_promotion_to, pending_promotion,
       state, stream_revision, global_position, updated_at, order_limit_eur, effective_limit_eur)
     VALUES ($1, true, $2, $3, $4, '{}'::jsonb, 1, 1, $5, $6, $7)`,
    [
      userId,
      pending.fromLevel,
      pending.toLevel,
      JSON.stringify({ ...pending, proposedBy: 'job:promotions', reason: 'eligible' }),
      pending.proposedAt,
      limits.overrideEur,
      limits.effectiveEur,
    ],
  );
}
