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
  /** SUBMITTING longer than this is a violation (default: 5 minutes). */
  readonly staleSubmittingAfterMs?: number;
}

export const DEFAULT_STALE_SUBMITTING_AFTER_MS = 5 * 60_000;

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
