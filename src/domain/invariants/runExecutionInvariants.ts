import {
  checkClientOrderIdSet,
  checkFilledWithinAmount,
  checkFillsCountedOnce,
  checkLegalTransitions,
  checkNoDuplicateExchangeOrders,
  checkNoMissingOrderId,
  checkNoStaleSubmitting,
  checkOneOrderPerExecution,
} from './executionInvariants';
import type { ExecutionHistory, InvariantViolation } from './invariantViolation';

export interface InvariantCheckOptions {
  readonly nowMs: number;
  /** SUBMITTING longer than this after the intent is a violation (default: 10 minutes). */
  readonly staleSubmittingAfterMs?: number;
}

/**
 * The 10 minutes of the SQL check and the deployment checklist's staging query. Those measure from the
 * last event (updated_at); this check measures from the intent, so it flags everything they flag.
 */
export const DEFAULT_STALE_SUBMITTING_AFTER_MS = 10 * 60_000;

/** Every execution invariant over a set of replayed streams. Never throws on a bad history: it reports it. */
export function runExecutionInvariants(
  histories: readonly ExecutionHistory[],
  options: InvariantCheckOptions,
): InvariantViolation[] {
  const staleAfterMs = options.staleSubmittingAfterMs ?? DEFAULT_STALE_SUBMITTING_AFTER_MS;
  const violations: InvariantViolation[] = [];
  for (const history of histories) {
    violations.push(
      ...checkClientOrderIdSet(history),
      ...checkLegalTransitions(history),
      ...checkOneOrderPerExecution(history),
      ...checkNoMissingOrderId(history),
      ...checkFilledWithinAmount(history),
      ...checkFillsCountedOnce(history),
      ...checkNoStaleSubmitting(history, options.nowMs, staleAfterMs),
    );
  }
  violations.push(...checkNoDuplicateExchangeOrders(histories));
  return violations;
}
