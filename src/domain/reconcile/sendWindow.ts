import type { Execution } from '../execution/executionState';
import type { ReconcileSettings } from './reconcileSettings';

type Sent = Pick<Execution, 'lastSentAt' | 'submittingAt' | 'updatedAt'>;

/**
 * When the latest send started. With no send time recorded (the process stopped between the intent
 * and the outcome) the intent's time is used: the send follows the intent within the same request.
 */
export function sendStartedMs(execution: Sent): number {
  return Date.parse(execution.lastSentAt ?? execution.submittingAt ?? execution.updatedAt);
}

/**
 * After this moment (our clock) no delayed copy of the latest send can execute: the exchange refuses a
 * request that arrives after `timestamp + accessWindow`, and the clocks differ by at most clockSkewMax.
 */
export function sendWindowClosesMs(execution: Sent, settings: ReconcileSettings): number {
  return sendStartedMs(execution) + settings.accessWindowMs + settings.clockSkewMaxMs;
}

export function isSendWindowElapsed(execution: Sent, nowMs: number, settings: ReconcileSettings): boolean {
  return nowMs > sendWindowClosesMs(execution, settings);
}

export interface SweepRange {
  readonly fromMs: number;
  readonly toMs: number;
}

/** The GET /orders range that must be swept: `[sentAt − clockSkewMax, now]`. */
export function requiredSweepRange(execution: Sent, nowMs: number, settings: ReconcileSettings): SweepRange {
  return { fromMs: sendStartedMs(execution) - settings.clockSkewMaxMs, toMs: nowMs };
}

/** A sweep counts only if it was made after the window closed and covers every moment the order could exist. */
export function sweepCoversSend(
  execution: Sent,
  range: SweepRange,
  nowMs: number,
  settings: ReconcileSettings,
): boolean {
  const closesMs = sendWindowClosesMs(execution, settings);
  return (
    nowMs > closesMs &&
    range.fromMs <= sendStartedMs(execution) - settings.clockSkewMaxMs &&
    range.toMs >= closesMs
  );
}
