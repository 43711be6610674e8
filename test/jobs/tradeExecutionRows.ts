import { randomUUID } from 'node:crypto';
import type pg from 'pg';

export interface TradeExecutionRow {
  readonly clientOrderId?: string;
  readonly userId?: string;
  readonly status: string;
  readonly bitvavoOrderId?: string | null;
  readonly updatedAt?: Date;
  readonly createdAt?: Date;
  readonly submittingAt?: Date | null;
  readonly submittedAt?: Date | null;
  readonly neededReconciliation?: boolean;
  readonly reconcileAttempts?: number;
}

/**
 * Writes rows straight into the read model, for jobs whose input is the read model (the invariant
 * functions, the stats refresh). Tests of the flow itself go through the event store instead.
 */
export async function insertTradeExecutions(
  pool: pg.Pool,
  rows: readonly TradeExecutionRow[],
): Promise<string[]> {
  const ids: string[] = [];
  for (const [index, row] of rows.entries()) {
    const id = row.clientOrderId ?? randomUUID();
    ids.push(id);
    const updatedAt = row.updatedAt ?? new Date();
    await pool.query(
      `INSERT INTO trade_executions (client_order_id, user_id, market, side, order_type, amount_quote, status,
         bitvavo_order_id, request_hash, expires_at, submitting_at, submitted_at, needed_reconciliation,
         created_at, updated_at, stream_revision, global_position, reconcile_attempts)
       VALUES ($1, $2, 'BTC-EUR', 'buy', 'market', 10, $3, $4, 'hash', $5, $6, $7, $8, $9, $10, 0, $11, $12)`,
      [
        id,
        row.userId ?? 'u1',
        row.status,
        row.bitvavoOrderId ?? null,
        new Date(updatedAt.getTime() + 60_000),
        row.submittingAt === undefined ? updatedAt : row.submittingAt,
        row.submittedAt ?? null,
        row.neededReconciliation ?? false,
        row.createdAt ?? updatedAt,
        updatedAt,
        index + 1,
        row.reconcileAttempts ?? 0,
      ],
    );
  }
  return ids;
}
