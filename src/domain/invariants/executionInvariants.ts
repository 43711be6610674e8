import type { Decimal } from 'decimal.js';
import { ExactDecimal, toPlainString } from '../policy/decimalString';
import { clientOrderIdSchema } from '../execution/eventFields';
import { executionEventTime } from '../execution/executionEvents';
import { ON_EXCHANGE_STATUSES } from '../execution/executionStatus';
import type { ExecutionHistory, ExecutionInvariant, InvariantViolation } from './invariantViolation';
import { walkExecutionHistory } from './walkExecutionHistory';

type Violations = InvariantViolation[];

const violation = (
  invariant: ExecutionInvariant,
  clientOrderId: string,
  message: string,
): InvariantViolation => ({
  invariant,
  clientOrderId,
  message,
});

/** The exchange order ids an execution claims: acknowledged (Submitted) or found by a lookup. */
export function claimedExchangeOrderIds(history: ExecutionHistory): string[] {
  const ids = new Set<string>();
  for (const event of history.events) {
    if (event.type === 'Submitted') ids.add(event.data.exchangeOrderId);
    if (event.type === 'ReconcileAttempted' && event.data.exchangeOrderId !== null)
      ids.add(event.data.exchangeOrderId);
  }
  return [...ids];
}

export function checkOneOrderPerExecution(history: ExecutionHistory): Violations {
  const ids = claimedExchangeOrderIds(history);
  return ids.length <= 1
    ? []
    : [
        violation(
          'one_order_per_execution',
          history.clientOrderId,
          `${ids.length} exchange orders: ${ids.join(', ')}`,
        ),
      ];
}

export function checkLegalTransitions(history: ExecutionHistory): Violations {
  return walkExecutionHistory(history).illegal.map((step) =>
    violation(
      'legal_transitions',
      history.clientOrderId,
      `event #${step.index} ${step.eventType} is illegal in status ${step.from}`,
    ),
  );
}

export function checkNoMissingOrderId(history: ExecutionHistory): Violations {
  const step = walkExecutionHistory(history).steps.find(
    (candidate) =>
      (ON_EXCHANGE_STATUSES as readonly string[]).includes(candidate.status) &&
      (candidate.exchangeOrderId === null || candidate.exchangeOrderId.trim() === ''),
  );
  return step === undefined
    ? []
    : [
        violation(
          'no_missing_order_id',
          history.clientOrderId,
          `status ${step.status} at event #${step.index} without an exchange order id`,
        ),
      ];
}

export function checkFillsCountedOnce(history: ExecutionHistory): Violations {
  const seen = new Set<string>();
  const violations: Violations = [];
  for (const [index, event] of history.events.entries()) {
    if (event.type !== 'FillRecorded') continue;
    if (seen.has(event.data.fillId)) {
      violations.push(
        violation(
          'fills_counted_once',
          history.clientOrderId,
          `fill ${event.data.fillId} recorded again at event #${index}`,
        ),
      );
    }
    seen.add(event.data.fillId);
  }
  return violations;
}

export function checkFilledWithinAmount(history: ExecutionHistory): Violations {
  const first = history.events[0];
  if (first === undefined || first.type !== 'ExecutionSubmitting' || first.data.amount === null) return [];
  const violations: Violations = [];
  try {
    const amount = new ExactDecimal(first.data.amount);
    let filled = new ExactDecimal(0);
    for (const [index, event] of history.events.entries()) {
      let total: Decimal | null = null;
      if (event.type === 'FillRecorded') {
        filled = filled.plus(event.data.amount);
        total = filled;
      }
      if (event.type === 'Filled' || event.type === 'Cancelled' || event.type === 'Expired') {
        total = new ExactDecimal(event.data.filledAmount);
      }
      if (total !== null && total.gt(amount)) {
        violations.push(
          violation(
            'filled_within_amount',
            history.clientOrderId,
            `filled ${toPlainString(total)} above the order amount ${toPlainString(amount)} at event #${index} (${event.type})`,
          ),
        );
      }
    }
  } catch {
    violations.push(violation('filled_within_amount', history.clientOrderId, 'an amount is not a decimal'));
  }
  return violations;
}

export function checkClientOrderIdSet(history: ExecutionHistory): Violations {
  const first = history.events[0];
  if (first === undefined) return [];
  if (first.type !== 'ExecutionSubmitting' && first.type !== 'ExecutionRejected') {
    return [
      violation(
        'client_order_id_set',
        history.clientOrderId,
        `the stream starts with ${first.type}, not a proposal`,
      ),
    ];
  }
  const recorded = first.data.clientOrderId;
  if (typeof recorded !== 'string' || !clientOrderIdSchema.safeParse(recorded).success) {
    return [
      violation('client_order_id_set', history.clientOrderId, 'the proposal has no valid clientOrderId'),
    ];
  }
  // The API lower-cases every clientOrderId and check_client_order_id_set() accepts lower-case hex only:
  // the canonical form. Anything else is flagged here too, so that both checks agree on one stream.
  if (recorded !== recorded.toLowerCase()) {
    return [
      violation(
        'client_order_id_set',
        history.clientOrderId,
        `the proposal's clientOrderId ${recorded} is not lower-case (the API's canonical form)`,
      ),
    ];
  }
  if (recorded !== history.clientOrderId) {
    return [
      violation(
        'client_order_id_set',
        history.clientOrderId,
        `the proposal's clientOrderId ${recorded} differs from the stream's`,
      ),
    ];
  }
  return [];
}

/** Still SUBMITTING longer than `staleAfterMs` after the intent: an operator must look at it. */
export function checkNoStaleSubmitting(
  history: ExecutionHistory,
  nowMs: number,
  staleAfterMs: number,
): Violations {
  const first = history.events[0];
  if (first === undefined || walkExecutionHistory(history).finalStatus !== 'SUBMITTING') return [];
  const sinceMs = Date.parse(executionEventTime(first));
  const ageMs = nowMs - sinceMs;
  if (Number.isNaN(sinceMs) || ageMs > staleAfterMs) {
    return [
      violation(
        'no_stale_submitting',
        history.clientOrderId,
        `SUBMITTING for ${Number.isNaN(ageMs) ? 'an unknown time' : `${ageMs} ms`} (threshold ${staleAfterMs} ms)`,
      ),
    ];
  }
  return [];
}

/** Across executions: one exchange order id never belongs to two executions. */
export function checkNoDuplicateExchangeOrders(histories: readonly ExecutionHistory[]): Violations {
  const owners = new Map<string, string>();
  const violations: Violations = [];
  for (const history of histories) {
    for (const id of claimedExchangeOrderIds(history)) {
      const owner = owners.get(id);
      if (owner === undefined) owners.set(id, history.clientOrderId);
      else if (owner !== history.clientOrderId) {
        violations.push(
          violation(
            'no_duplicates',
            history.clientOrderId,
            `exchange order ${id} is also claimed by execution ${owner}`,
          ),
        );
      }
    }
  }
  return violations;
}
