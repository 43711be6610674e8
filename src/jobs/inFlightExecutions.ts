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

/**
 * SUBMITTING executions whose intent is older than `submittedBeforeMs`, oldest first (from the
 * `trade_executions` read model; the reconcile service re-reads each stream, so a row that is behind
 * costs one read, never a wrong decision).
 */
export async function listSubmitting(
  pool: pg.Pool,
  submittedBeforeMs: number,
  limit: number,
): Promise<InFlightExecution[]> {
  const result = await pool.query<Row>(
    `SELECT client_order_id, market, status, submitting_at, updated_at
       FROM trade_executions
      WHERE status = 'SUBMITTING' AND coalesce(submitting_at, updated_at) < $1
      ORDER BY coalesce(submitting_at, updated_at), client_order_id
      LIMIT $2`,
    [new Date(submittedBeforeMs).toISOString(), Math.min(Math.max(1, limit), MAX_LISTED)],
  );
  return result.rows.map(toExecution);
}

/** Orders on the exchange that have not ended (SUBMITTED, PARTIALLY_FILLED), least recently changed first. */
export async function listOpenOnExchange(pool: pg.Pool, limit: number): Promise<InFlightExecution[]> {
  const result = await pool.query<Row>(
    `SELECT client_order_id, market, status, submitting_at, updated_at
       FROM trade_executions
      WHERE status IN ('SUBMITTED', 'PARTIALLY_FILLED')
      ORDER BY updated_at, client_order_id
      LIMIT $1`,
    [Math.min(Math.max(1, limit), MAX_LISTED)],
  );
  return result.rows.map(toExecution);
}
