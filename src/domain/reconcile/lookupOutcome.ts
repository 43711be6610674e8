import type { Execution } from '../execution/executionState';
import type { ExchangeOrder, ExchangeResult } from '../ports/exchange';
import { SWEEP_LIMIT, type ReconcileSettings } from './reconcileSettings';
import { sweepCoversSend, type SweepRange } from './sendWindow';

/** What one lookup established, before it is written down as ReconcileAttempted. */
export type LookupOutcome =
  | {
      readonly result: 'found';
      readonly order: ExchangeOrder;
      readonly note: string | null;
      /** Every exchange order the sweep listed with this clientOrderId, when it listed more than one. */
      readonly duplicateOrderIds?: readonly string[];
    }
  | { readonly result: 'not_found'; readonly httpStatus: number | null; readonly errorCode: number | null }
  | {
      readonly result: 'lookup_error';
      readonly httpStatus: number | null;
      readonly errorCode: number | null;
      readonly message: string;
    };

export interface SweepLookup extends SweepRange {
  /** The page size asked for; a full page may hide more orders. */
  readonly limit: number;
  readonly result: ExchangeResult<ExchangeOrder[]>;
}

const lookupError = (message: string, httpStatus: number | null = null, errorCode: number | null = null) =>
  ({ result: 'lookup_error', httpStatus, errorCode, message: message.slice(0, 2000) }) as const;

/** GET /order by clientOrderId: only a real 240 is `not_found`; a failure of any other kind proves nothing. */
export function classifyGetOrder(execution: Execution, lookup: ExchangeResult<ExchangeOrder>): LookupOutcome {
  if (lookup.ok) {
    const order = lookup.value;
    if (order.clientOrderId !== undefined && order.clientOrderId !== execution.clientOrderId) {
      return lookupError(`the exchange answered with another order (clientOrderId ${order.clientOrderId})`);
    }
    if (order.market !== execution.market)
      return lookupError(`the exchange answered with an order on ${order.market}`);
    return { result: 'found', order, note: null };
  }
  const httpStatus = lookup.httpStatus ?? null;
  const errorCode = lookup.errorCode ?? null;
  if (lookup.errorClass === 'NOT_FOUND') return { result: 'not_found', httpStatus, errorCode };
  return lookupError(lookup.message, httpStatus, errorCode);
}

/**
 * GET /orders over a range: `found` when an order carries the clientOrderId; `not_found` only for a
 * complete page over a range that covers the send's whole window, asked after the window closed.
 */
export function classifySweep(
  execution: Execution,
  sweep: SweepLookup,
  nowMs: number,
  settings: ReconcileSettings,
): LookupOutcome {
  if (!sweep.result.ok) {
    return lookupError(sweep.result.message, sweep.result.httpStatus ?? null, sweep.result.errorCode ?? null);
  }
  const orders = sweep.result.value;
  const matches = orders.filter((order) => order.clientOrderId === execution.clientOrderId);
  const first = matches[0];
  if (first !== undefined) {
    if (first.market !== execution.market)
      return lookupError(`the sweep listed the order on ${first.market}`);
    const distinct = [...new Set(matches.map((order) => order.orderId))];
    // Two orders for one clientOrderId would be a double placement: say so loudly, keep the first.
    if (distinct.length > 1) {
      const note = `ALERT: ${distinct.length} exchange orders carry this clientOrderId`;
      return { result: 'found', order: first, note, duplicateOrderIds: distinct };
    }
    return { result: 'found', order: first, note: null };
  }
  const limit = Math.min(sweep.limit, SWEEP_LIMIT);
  if (orders.length >= limit)
    return lookupError(`the sweep returned a full page (${orders.length}); it may be incomplete`);
  if (!sweepCoversSend(execution, sweep, nowMs, settings)) {
    return lookupError(
      `the sweep [${sweep.fromMs}, ${sweep.toMs}] at ${nowMs} does not cover the send window of the latest send`,
    );
  }
  return { result: 'not_found', httpStatus: null, errorCode: null };
}
