export interface ReconcileSettings {
  /** Bitvavo's access window (the `Bitvavo-Access-Window` header): a request arriving later is refused. */
  readonly accessWindowMs: number;
  /** The most our clock may differ from the exchange's. */
  readonly clockSkewMaxMs: number;
  /** Re-sends allowed per execution (each needs evidence that the previous send was not placed). */
  readonly maxRetries: number;
  /** Lookups recorded per execution before it is left to an operator. */
  readonly maxReconcileAttempts: number;
  /**
   * After a send answered SOFT_NOT_EXECUTED (105/103/429 rate limit or ban, 104, 107/108 overloaded,
   * 302/304, not sent), no re-send and no lookup before `lastSentAt + softRetryDelayMs`: the cause of a
   * SOFT answer rarely clears in the next round, and each re-send is one of `maxRetries`.
   */
  readonly softRetryDelayMs: number;
}

export const DEFAULT_RECONCILE_SETTINGS: ReconcileSettings = {
  accessWindowMs: 10_000,
  clockSkewMaxMs: 5_000,
  maxRetries: 3,
  maxReconcileAttempts: 20,
  softRetryDelayMs: 10_000,
};

/** Bitvavo's largest page for GET /orders; a sweep that returns this many may be incomplete. */
export const SWEEP_LIMIT = 1000;
