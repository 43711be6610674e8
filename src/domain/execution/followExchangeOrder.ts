import type { ExchangeOrder, ExchangeOrderStatus } from '../ports/exchange';
import { executionEvent, type ExecutionEvent } from './executionEvents';
import type { Execution } from './executionState';

/**
 * At most this many FillRecorded per decision, so that a decision's events fit one append (the store
 * takes 100). The end event waits until every fill is recorded; the next look records the rest.
 */
export const MAX_FILLS_PER_DECISION = 90;

const CANCELLED_STATUSES: readonly ExchangeOrderStatus[] = [
  'canceled',
  'canceledAuction',
  'canceledSelfTradePrevention',
  'canceledIOC',
  'canceledFOK',
  'canceledMarketProtection',
  'canceledPostOnly',
  // Bitvavo may end an acknowledged order as "rejected": it ended without (further) fills.
  'rejected',
];

export function isEndedExchangeStatus(status: ExchangeOrderStatus): boolean {
  return status === 'filled' || status === 'expired' || CANCELLED_STATUSES.includes(status);
}

function isoOf(timestampMs: number, fallbackIso: string): string {
  return Number.isFinite(timestampMs) && Math.abs(timestampMs) < 8.64e15
    ? new Date(timestampMs).toISOString()
    : fallbackIso;
}

/** Why the exchange order does not belong to this execution, or `null` when it does. */
export function exchangeOrderMismatch(execution: Execution, order: ExchangeOrder): string | null {
  if (order.clientOrderId !== undefined && order.clientOrderId !== execution.clientOrderId) {
    return `exchange order ${order.orderId} has clientOrderId ${order.clientOrderId}, expected ${execution.clientOrderId}`;
  }
  if (order.market !== execution.market) {
    return `exchange order ${order.orderId} is on ${order.market}, expected ${execution.market}`;
  }
  if (execution.exchangeOrderId !== null && order.orderId !== execution.exchangeOrderId) {
    return `exchange order ${order.orderId} is not the execution's order ${execution.exchangeOrderId}`;
  }
  return null;
}

/**
 * What the exchange's view of an acknowledged order adds to the stream: fills not yet recorded (by fill
 * id, in the exchange's order, each once), then Filled / Cancelled / Expired when the order has ended
 * and every fill is in. The execution must be SUBMITTED or PARTIALLY_FILLED once `Submitted` is applied.
 */
export function followExchangeOrder(
  execution: Pick<Execution, 'fillIds'>,
  order: ExchangeOrder,
  nowIso: string,
  maxFills: number = MAX_FILLS_PER_DECISION,
): ExecutionEvent[] {
  const known = new Set(execution.fillIds);
  const events: ExecutionEvent[] = [];
  let pendingFills = 0;
  for (const fill of order.fills) {
    if (known.has(fill.id)) continue;
    known.add(fill.id);
    if (events.length >= maxFills) {
      pendingFills += 1;
      continue;
    }
    events.push(
      executionEvent('FillRecorded', {
        schemaVersion: 1,
        fillId: fill.id,
        amount: fill.amount,
        price: fill.price,
        fee: fill.fee,
        feeCurrency: fill.feeCurrency,
        at: isoOf(fill.timestampMs, nowIso),
      }),
    );
  }
  if (pendingFills > 0 || !isEndedExchangeStatus(order.status)) return events;
  const totals = {
    schemaVersion: 1 as const,
    filledAmount: order.filledAmount,
    filledAmountQuote: order.filledAmountQuote,
    feePaid: order.feePaid,
    at: nowIso,
  };
  if (order.status === 'filled') events.push(executionEvent('Filled', totals));
  else if (order.status === 'expired')
    events.push(executionEvent('Expired', { ...totals, reason: order.status }));
  else events.push(executionEvent('Cancelled', { ...totals, reason: order.status }));
  return events;
}
