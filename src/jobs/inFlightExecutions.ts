import type pg from 'pg';

export interface InFlightExecution {
  readonly clientOrderId: string;
  readonly market: string;
  readonly status: string;
  readonly submittingAt: Date | null;
  readonly updatedAt: Date;
}

export const MAX_LISTED = 1_000;

type Row = {
  client_order_id: string;
  market: string;
  status: string;
  submitting_at: Date | null;
  updated_at: Date;
};

const toExecution = (row: Row): InFlightExecution => ({
  clientOrderId: row.client_order_id,
  market: row.market,
  status: row.status,
  submittingAt: row.submitting_at,
  updatedAt: row.updated_at,
});

export interface SubmittingQuery {
  /** Only executions whose intent is older than this. */
  readonly submittedBeforeMs: number;
  readonly limit: number;
  /**
   * Spacing of lookups per execution: the next round waits `min(capMs, baseMs × 2^lookups)` after
   * the execution's last event, so that an exchange outage does not use up an execution's bounded
   * lookups in a minute. Omitted: no spacing (start-up).
   */
  readonly backoff?: { readonly nowMs: number; readonly baseMs: number; readonly capMs: number };
  /** Executions with this many lookups are an operator's (listed by `listExhausted`). */
  readonly maxReconcileAttempts?: number;
}

/**
 * SUBMITTING executions due for a reconcile round, oldest intent first (from the `trade_executions`
 * read model; the reconcile service re-reads each stream, so a row that is behind costs one read,
 * never a wrong decision).
 */
export async function listSubmitting(pool: pg.Pool, query: SubmittingQuery): Promise<InFlightExecution[]> {
  const backoff = query.backoff;
  const result = await pool.query<Row>(
    `SELECT client_order_id, market, status, submitting_at, updated_at
       FROM trade_executions
      WHERE status = 'SUBMITTING' AND coalesce(submitting_at, updated_at) < $1
        AND ($3::int IS NULL OR reconcile_attempts < $3)
        AND ($4::timestamptz IS NULL
             OR updated_at <= $4::timestamptz
                - least($6::bigint, $5::bigint * power(2, least(reconcile_attempts, 30))::bigint) * interval '1 millisecond')
      ORDER BY coalesce(submitting_at, updated_at), client_order_id
      LIMIT $2`,
    [
      new Date(query.submittedBeforeMs).toISOString(),
      Math.min(Math.max(1, query.limit), MAX_LISTED),
      query.maxReconcileAttempts ?? null,
      backoff === undefined ? null : new Date(backoff.nowMs).toISOString(),
      backoff?.baseMs ?? 0,
      backoff?.capMs ?? 0,
    ],
  );
  return result.rows.map(toExecution);
}

/** SUBMITTING executions whose lookups are used up: only an operator can resolve them now. */
export async function listExhausted(
  pool: pg.Pool,
  maxReconcileAttempts: number,
  limit: number,
): Promise<InFlightExecution[]> {
  const result = await pool.query<Row>(
    `SELECT client_order_id, market, status, submitting_at, updated_at
       FROM trade_executions
      WHERE status = 'SUBMITTING' AND reconcile_attempts >= $1
      ORDER BY coalesce(submitting_at, updated_at), client_order_id
      LIMIT $2`,
    [maxReconcileAttempts, Math.min(Math.max(1, limit), MAX_LISTED)],
  );
  return result.rows.map(toExecution);
}
