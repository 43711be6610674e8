import type { ExecutionEvent } from '../execution/executionEvents';

/**
 * The invariants over execution streams. Where the read model has a SQL twin (DESIGN §5) the name
 * matches it: check_no_duplicates(), check_no_stale_submitting(), check_no_missing_order_id(),
 * check_client_order_id_set().
 */
export const EXECUTION_INVARIANTS = [
  'one_order_per_execution',
  'no_duplicates',
  'no_missing_order_id',
  'legal_transitions',
  'filled_within_amount',
  'fills_counted_once',
  'client_order_id_set',
  'no_stale_submitting',
] as const;
export type ExecutionInvariant = (typeof EXECUTION_INVARIANTS)[number];

export interface InvariantViolation {
  readonly invariant: ExecutionInvariant;
  /** The execution concerned (from its stream name). */
  readonly clientOrderId: string;
  readonly message: string;
}

/** One execution stream as read back: the clientOrderId from its name, its events in order. */
export interface ExecutionHistory {
  readonly clientOrderId: string;
  readonly events: readonly ExecutionEvent[];
}
