import type pg from 'pg';
import { clientOrderIdSchema, type ExecutionLastError, type ExecutionStatus } from '../../domain/execution';
import { ProjectionQueryError } from './projectionQueryError';

export const MAX_LIST_LIMIT = 500;

export interface ListExecutionsQuery {
  readonly userId?: string;
  readonly market?: string;
  readonly statuses?: readonly ExecutionStatus[];
  readonly limit: number;
  /** From the previous page's `nextCursor`. */
  readonly cursor?: string;
}

/** One row of trade_executions as the API lists it: decimals as strings, times as ISO strings. */
export interface ExecutionListItem {
  readonly clientOrderId: string;
  readonly userId: string;
  readonly market: string;
  readonly side: 'buy' | 'sell';
  readonly orderType: 'market' | 'limit';
  readonly amount: string | null;
  readonly amountQuote: string | null;
  readonly price: string | null;
  readonly status: ExecutionStatus;
  readonly exchangeOrderId: string | null;
  readonly exchangeStatus: string | null;
  readonly reconcileAttempts: number;
  readonly retries: number;
  readonly neededReconciliation: boolean;
  readonly filledAmount: string;
  readonly filledAmountQuote: string;
  readonly feePaid: string;
  readonly feeCurrency: string | null;
  readonly rejectCode: string | null;
  readonly rejectReason: string | null;
  readonly lastErrorDetail: ExecutionLastError | null;
  readonly submittingAt: string | null;
  readonly submittedAt: string | null;
  readonly filledAt: string | null;
  readonly endedAt: string | null;
  readonly endReason: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly revision: number;
}

export interface ExecutionPage {
  readonly executions: ExecutionListItem[];
  /** Pass as `cursor` for the next page; null on the last one. */
  readonly nextCursor: string | null;
}

interface Row {
  client_order_id: string;
  user_id: string;
  market: string;
  side: 'buy' | 'sell';
  order_type: 'market' | 'limit';
  amount: string | null;
  amount_quote: string | null;
  price: string | null;
  status: ExecutionStatus;
  bitvavo_order_id: string | null;
  exchange_status: string | null;
  reconcile_attempts: number;
  retries: number;
  needed_reconciliation: boolean;
  filled_amount: string;
  filled_amount_quote: string;
  fee_paid: string;
  fee_currency: string | null;
  reject_code: string | null;
  reject_reason: string | null;
  last_error_detail: ExecutionLastError | null;
  submitting_at: Date | null;
  submitted_at: Date | null;
  filled_at: Date | null;
  ended_at: Date | null;
  end_reason: string | null;
  created_at: Date;
  updated_at: Date;
  stream_revision: string;
  /** created_at to the microsecond, for an exact keyset cursor. */
  created_at_text: string;
}

const iso = (value: Date | null) => (value === null ? null : value.toISOString());

function present(row: Row): ExecutionListItem {
  return {
    clientOrderId: row.client_order_id,
    userId: row.user_id,
    market: row.market,
    side: row.side,
    orderType: row.order_type,
    amount: row.amount,
    amountQuote: row.amount_quote,
    price: row.price,
    status: row.status,
    exchangeOrderId: row.bitvavo_order_id,
    exchangeStatus: row.exchange_status,
    reconcileAttempts: row.reconcile_attempts,
    retries: row.retries,
    neededReconciliation: row.needed_reconciliation,
    filledAmount: row.filled_amount,
    filledAmountQuote: row.filled_amount_quote,
    feePaid: row.fee_paid,
    feeCurrency: row.fee_currency,
    rejectCode: row.reject_code,
    rejectReason: row.reject_reason,
    lastErrorDetail: row.last_error_detail,
    submittingAt: iso(row.submitting_at),
    submittedAt: iso(row.submitted_at),
    filledAt: iso(row.filled_at),
    endedAt: iso(row.ended_at),
    endReason: row.end_reason,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    revision: Number(row.stream_revision),
  };
}

/** Opaque to clients: the (created_at, client_order_id) of the last row of the page. */
export function encodeCursor(createdAt: string, clientOrderId: string): string {
  return Buffer.from(JSON.stringify([createdAt, clientOrderId]), 'utf8').toString('base64url');
}

/** created_at as the list writes it into a cursor: UTC, to the microsecond. */
const CURSOR_TIME_PATTERN = /^[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z$/;

/** A real UTC time in the cursor's form (not "2020-02-30…", which JavaScript reads as 1 March). */
function isCursorTime(text: string): boolean {
  const millis = `${text.slice(0, 23)}Z`;
  if (!CURSOR_TIME_PATTERN.test(text)) return false;
  const ms = Date.parse(millis);
  return !Number.isNaN(ms) && new Date(ms).toISOString() === millis;
}

/**
 * What the list put in a cursor (a real UTC time to the microsecond and a clientOrderId), or
 * INVALID_CURSOR (a 400): a forged one that JavaScript parses but PostgreSQL does not ("2020", a NUL
 * byte) would otherwise fail in the query as a 500.
 */
export function decodeCursor(cursor: string): [string, string] {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[0] === 'string' &&
      typeof value[1] === 'string' &&
      isCursorTime(value[0]) &&
      clientOrderIdSchema.safeParse(value[1]).success
    ) {
      return [value[0], value[1]];
    }
  } catch {
    // Falls through to the error below.
  }
  throw new ProjectionQueryError('INVALID_CURSOR', 'the cursor is not one this API returned');
}

/**
 * Newest first, keyset-paginated on (created_at, client_order_id) so that pages neither skip nor
 * repeat rows while new executions arrive (they sort before the cursor).
 */
export async function listExecutions(
  db: pg.Pool | pg.ClientBase,
  query: ListExecutionsQuery,
): Promise<ExecutionPage> {
  const limit = Math.max(1, Math.min(query.limit, MAX_LIST_LIMIT));
  const conditions: string[] = [];
  const params: unknown[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  if (query.userId !== undefined) conditions.push(`user_id = ${param(query.userId)}`);
  if (query.market !== undefined) conditions.push(`market = ${param(query.market)}`);
  if (query.statuses !== undefined && query.statuses.length > 0) {
    conditions.push(`status = ANY(${param([...query.statuses])}::text[])`);
  }
  if (query.cursor !== undefined) {
    const [createdAt, clientOrderId] = decodeCursor(query.cursor);
    conditions.push(
      `(created_at, client_order_id) < (${param(createdAt)}::timestamptz, ${param(clientOrderId)})`,
    );
  }
  const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
  const result = await db.query<Row>(
    `SELECT *, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at_text
       FROM trade_executions ${where}
      ORDER BY created_at DESC, client_order_id DESC
      LIMIT ${param(limit + 1)}`,
    params,
  );
  const rows = result.rows.slice(0, limit);
  const last = rows.at(-1);
  return {
    executions: rows.map(present),
    nextCursor:
      result.rows.length > limit && last ? encodeCursor(last.created_at_text, last.client_order_id) : null,
  };
}
