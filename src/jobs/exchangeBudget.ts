/**
 * How many rate-limit weight points the exchange client believes it has left this minute
 * (`BitvavoClient.rateLimitRemaining()`); jobs stop picking up work below their floor, so that
 * background lookups never eat the points orders need (and never burn reconcile attempts on
 * lookups the client would refuse locally).
 */
export type RateLimitRemaining = () => number;

export interface BudgetFloor {
  readonly remaining?: RateLimitRemaining;
  /** Stop taking new items when fewer points than this are left. */
  readonly minRemainingPoints: number;
}

export function budgetAllows(budget: BudgetFloor, weightPoints: number): boolean {
  if (budget.remaining === undefined) return true;
  return budget.remaining() - weightPoints >= budget.minRemainingPoints;
}
