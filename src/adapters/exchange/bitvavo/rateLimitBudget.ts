import { DEFAULT_RATE_LIMIT_PER_MIN, RATE_LIMIT_WINDOW_MS } from './endpointWeights';

export type RequestPriority = 'order' | 'read';

export type BudgetDecision =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: 'banned' | 'exhausted'; readonly retryAtMs: number };

export interface RateLimitBudgetOptions {
  readonly limitPerMin?: number;
  /**
   * Points that only order placement and cancellation may use. Reads (reconcile lookups, balances)
   * stop earlier, so that a burst of reads can never leave no room to cancel or place an order.
   */
  readonly orderReserve?: number;
  /** Ban length assumed when a 105 answer does not say when the ban ends. */
  readonly defaultBanMs?: number;
}

/**
 * The client's view of its Bitvavo rate-limit budget. It is fed by the `bitvavo-ratelimit-*` headers
 * and by 105 bans, and is charged locally for every request sent, so that concurrent requests do not
 * all spend the same remaining points. A request that does not fit is refused locally (not sent):
 * being refused costs nothing, being banned costs a minute of blindness.
 */
export class RateLimitBudget {
  private limit: number;
  private remaining: number;
  private resetAtMs: number | undefined;
  private bannedUntilMs = 0;
  private readonly orderReserve: number | undefined;
  private readonly defaultBanMs: number;

  constructor(options: RateLimitBudgetOptions = {}) {
    this.limit = options.limitPerMin ?? DEFAULT_RATE_LIMIT_PER_MIN;
    this.remaining = this.limit;
    this.orderReserve = options.orderReserve;
    this.defaultBanMs = options.defaultBanMs ?? RATE_LIMIT_WINDOW_MS;
  }

  /** Charges `weight` points if the request fits; otherwise says until when it would not. */
  tryAcquire(weight: number, priority: RequestPriority, nowMs: number): BudgetDecision {
    if (nowMs < this.bannedUntilMs) return { ok: false, reason: 'banned', retryAtMs: this.bannedUntilMs };
    this.rollWindow(nowMs);
    // The reserve follows the limit the exchange reports, unless it was set explicitly.
    const reserve = this.orderReserve ?? Math.max(1, Math.floor(this.limit / 10));
    const floor = priority === 'order' ? 0 : Math.min(reserve, this.limit - 1);
    if (this.remaining - weight < floor) {
      return { ok: false, reason: 'exhausted', retryAtMs: this.resetAtMs ?? nowMs + RATE_LIMIT_WINDOW_MS };
    }
    this.remaining -= weight;
    if (this.resetAtMs === undefined) this.resetAtMs = nowMs + RATE_LIMIT_WINDOW_MS;
    return { ok: true };
  }

  /** Takes in what the exchange said about the budget in its response headers. */
  observeHeaders(
    headers: { remaining?: number | undefined; resetAtMs?: number | undefined; limit?: number | undefined },
    nowMs: number,
  ): void {
    if (headers.limit !== undefined && headers.limit > 0) this.limit = headers.limit;
    if (headers.remaining === undefined) return;
    const newWindow =
      headers.resetAtMs !== undefined && (this.resetAtMs === undefined || headers.resetAtMs > this.resetAtMs);
    if (newWindow) {
      this.resetAtMs = headers.resetAtMs;
      this.remaining = headers.remaining;
    } else {
      // Same window: requests sent after this one were already charged locally, so keep the lower view.
      this.remaining = Math.min(this.remaining, headers.remaining);
    }
    this.rollWindow(nowMs);
  }

  /** A 105 answer: nothing may be sent until the ban ends. */
  observeBan(untilMs: number | undefined, nowMs: number): void {
    this.bannedUntilMs = Math.max(this.bannedUntilMs, untilMs ?? nowMs + this.defaultBanMs);
    this.remaining = 0;
    this.resetAtMs = this.bannedUntilMs;
  }

  /** Points left in the current window as far as this client knows. */
  remainingPoints(nowMs: number): number {
    if (nowMs < this.bannedUntilMs) return 0;
    this.rollWindow(nowMs);
    return this.remaining;
  }

  /** When the known 105/103/429 ban ends (our clock), or `null` when no ban is in force at `nowMs`. */
  bannedUntil(nowMs: number): number | null {
    return nowMs < this.bannedUntilMs ? this.bannedUntilMs : null;
  }

  resetAt(): number | undefined {
    return this.resetAtMs;
  }

  private rollWindow(nowMs: number): void {
    if (this.resetAtMs !== undefined && nowMs >= this.resetAtMs) {
      this.remaining = this.limit;
      this.resetAtMs = undefined;
    }
  }
}
