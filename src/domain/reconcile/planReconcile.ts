import type { ExecutionState } from '../execution/executionState';
import { NOT_FOUND_AFTER_WINDOW_REQUIRED } from './notPlacedEvidence';
import { SWEEP_LIMIT, type ReconcileSettings } from './reconcileSettings';
import { isSendWindowElapsed, requiredSweepRange } from './sendWindow';
import { softRetryAllowedAtMs } from './softRetryDelay';

export interface SweepRequest {
  readonly fromMs: number;
  readonly toMs: number;
  readonly limit: number;
}

export type ReconcilePlan =
  | { readonly kind: 'skip'; readonly reason: 'not_in_flight' | 'attempts_exhausted' }
  | {
      /** Nothing is looked up nor recorded this round; try again at `retryAtMs`. */
      readonly kind: 'defer';
      readonly reason: 'exchange_banned' | 'soft_retry_delay';
      readonly retryAtMs: number;
    }
  | {
      readonly kind: 'lookup';
      readonly market: string;
      readonly clientOrderId: string;
      /** Also sweep GET /orders over this range (only when it can complete the evidence). */
      readonly sweep: SweepRequest | null;
    };

/**
 * Which lookups the next reconcile round should make. GET /order always; a GET /orders sweep only once
 * the window is over and one 240 after it is already recorded, so that this round can finish the
 * evidence (the sweep costs more rate-limit weight than a single lookup).
 *
 * Deferred (no lookup, nothing recorded, no re-send) while the exchange client knows of a rate-limit
 * ban (`exchangeBannedUntilMs`: its lookups would be refused locally and only use up attempts), and
 * while the latest send's SOFT answer is younger than `softRetryDelayMs` (a SOFT answer is already
 * the evidence; looking up now would only lead to an early re-send).
 */
export function planReconcile(
  state: ExecutionState,
  nowMs: number,
  settings: ReconcileSettings,
  exchangeBannedUntilMs: number | null = null,
): ReconcilePlan {
  if (state.status !== 'SUBMITTING') return { kind: 'skip', reason: 'not_in_flight' };
  if (state.reconcileAttempts >= settings.maxReconcileAttempts)
    return { kind: 'skip', reason: 'attempts_exhausted' };
  if (exchangeBannedUntilMs !== null && nowMs < exchangeBannedUntilMs)
    return { kind: 'defer', reason: 'exchange_banned', retryAtMs: exchangeBannedUntilMs };
  const softRetryAtMs = softRetryAllowedAtMs(state, settings);
  if (softRetryAtMs !== null && nowMs < softRetryAtMs)
    return { kind: 'defer', reason: 'soft_retry_delay', retryAtMs: softRetryAtMs };
  const wantsSweep =
    state.lastSendOutcome !== 'ALREADY_EXISTS' &&
    state.lastSendOutcome !== 'SOFT_NOT_EXECUTED' &&
    !state.sweepNotListedAfterWindow &&
    state.notFoundAfterWindowCount >= NOT_FOUND_AFTER_WINDOW_REQUIRED - 1 &&
    isSendWindowElapsed(state, nowMs, settings);
  return {
    kind: 'lookup',
    market: state.market,
    clientOrderId: state.clientOrderId,
    sweep: wantsSweep ? { ...requiredSweepRange(state, nowMs, settings), limit: SWEEP_LIMIT } : null,
  };
}
