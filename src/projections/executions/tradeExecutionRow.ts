import type { GlobalPosition } from '../../domain/ports/eventStore';
import type { Execution, ExecutionLastError } from '../../domain/execution';
import type { ColumnTypes } from '../sqlColumns';

/** One `trade_executions` row as written: decimals as strings, times as ISO strings, positions as text. */
export interface TradeExecutionRow {
  client_order_id: string;
  user_id: string;
  market: string;
  side: string;
  order_type: string;
  amount: string | null;
  amount_quote: string | null;
  price: string | null;
  status: string;
  bitvavo_order_id: string | null;
  exchange_status: string | null;
  reconcile_attempts: number;
  retries: number;
  needed_reconciliation: boolean;
  filled_amount: string;
  filled_amount_quote: string;
  fee_paid: string;
  fee_currency: string | null;
  fill_count: number;
  reject_code: string | null;
  reject_reason: string | null;
  last_error: string | null;
  last_error_detail: ExecutionLastError | null;
  gate_evidence: Record<string, unknown> | null;
  request_hash: string;
  expires_at: string;
  submitting_at: string | null;
  submitted_at: string | null;
  last_sent_at: string | null;
  filled_at: string | null;
  ended_at: string | null;
  end_reason: string | null;
  abandon_note: string | null;
  abandoned_by: string | null;
  created_at: string;
  updated_at: string;
  stream_revision: string;
  global_position: string;
}

export const TRADE_EXECUTION_COLUMNS: ColumnTypes<TradeExecutionRow> = {
  client_order_id: 'text',
  user_id: 'text',
  market: 'text',
  side: 'text',
  order_type: 'text',
  amount: 'numeric',
  amount_quote: 'numeric',
  price: 'numeric',
  status: 'text',
  bitvavo_order_id: 'text',
  exchange_status: 'text',
  reconcile_attempts: 'integer',
  retries: 'integer',
  needed_reconciliation: 'boolean',
  filled_amount: 'numeric',
  filled_amount_quote: 'numeric',
  fee_paid: 'numeric',
  fee_currency: 'text',
  fill_count: 'integer',
  reject_code: 'text',
  reject_reason: 'text',
  last_error: 'text',
  last_error_detail: 'jsonb',
  gate_evidence: 'jsonb',
  request_hash: 'text',
  expires_at: 'timestamptz',
  submitting_at: 'timestamptz',
  submitted_at: 'timestamptz',
  last_sent_at: 'timestamptz',
  filled_at: 'timestamptz',
  ended_at: 'timestamptz',
  end_reason: 'text',
  abandon_note: 'text',
  abandoned_by: 'text',
  created_at: 'timestamptz',
  updated_at: 'timestamptz',
  stream_revision: 'bigint',
  global_position: 'numeric(20,0)',
};

/**
 * The row of one execution: a column-by-column image of the domain's own state (evolveExecution), so
 * that the read model and a replay agree by construction. `position` is the last event's.
 */
export function tradeExecutionRow(state: Execution, position: GlobalPosition): TradeExecutionRow {
  return {
    client_order_id: state.clientOrderId,
    user_id: state.userId,
    market: state.market,
    side: state.side,
    order_type: state.orderType,
    amount: state.amount,
    amount_quote: state.amountQuote,
    price: state.price,
    status: state.status,
    bitvavo_order_id: state.exchangeOrderId,
    exchange_status: state.exchangeStatus,
    reconcile_attempts: state.reconcileAttempts,
    retries: state.retries,
    needed_reconciliation: state.neededReconciliation,
    filled_amount: state.filledAmount,
    filled_amount_quote: state.filledAmountQuote,
    fee_paid: state.feePaid,
    fee_currency: state.feeCurrency,
    fill_count: state.fillIds.length,
    reject_code: state.rejectCode,
    reject_reason: state.rejectReason,
    last_error: state.lastError?.message ?? null,
    last_error_detail: state.lastError,
    gate_evidence: state.gateEvidence,
    request_hash: state.requestHash,
    expires_at: state.expiresAt,
    submitting_at: state.submittingAt,
    submitted_at: state.submittedAt,
    last_sent_at: state.lastSentAt,
    filled_at: state.status === 'FILLED' ? state.endedAt : null,
    ended_at: state.endedAt,
    end_reason: state.endReason,
    abandon_note: state.abandonNote,
    abandoned_by: state.abandonedBy,
    created_at: state.submittingAt ?? state.rejectedAt ?? state.updatedAt,
    updated_at: state.updatedAt,
    stream_revision: String(state.version - 1),
    global_position: position.prepare.toString(),
  };
}
