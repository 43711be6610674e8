import type { Execution } from '../execution/executionState';
import type { ReconcileSettings } from './reconcileSettings';
import { isSendWindowElapsed } from './sendWindow';

export type NotPlacedEvidence = 'soft_not_executed' | 'window_elapsed_not_found';

/** Real 240 answers needed after the window (DESIGN §3: "at least twice after that moment"). */
export const NOT_FOUND_AFTER_WINDOW_REQUIRED = 2;

/**
 * Evidence in the recorded state that the latest send was NOT placed (DESIGN §3), or `null`:
 * - the send's own answer was SOFT_NOT_EXECUTED, or
 * - the window is over, GET /order answered 240 at least twice after it, and a complete sweep after it
 *   did not list the clientOrderId.
 * A 220 (ALREADY_EXISTS) answer says the order landed, so nothing counts against it. Lookup errors never
 * enter the state as evidence. The reconcile decision also requires a fresh 240 right before acting.
 */
export function notPlacedEvidence(
  execution: Execution,
  nowMs: number,
  settings: ReconcileSettings,
): NotPlacedEvidence | null {
  if (execution.status !== 'SUBMITTING') return null;
  if (execution.lastSendOutcome === 'ALREADY_EXISTS') return null;
  if (execution.lastSendOutcome === 'SOFT_NOT_EXECUTED') return 'soft_not_executed';
  if (
    isSendWindowElapsed(execution, nowMs, settings) &&
    execution.notFoundAfterWindowCount >= NOT_FOUND_AFTER_WINDOW_REQUIRED &&
    execution.sweepNotListedAfterWindow
  ) {
    return 'window_elapsed_not_found';
  }
  return null;
}
