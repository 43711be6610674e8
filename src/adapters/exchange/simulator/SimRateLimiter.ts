import { RATE_LIMIT_WINDOW_MS } from '../bitvavo/endpointWeights';
import { simError, type SimError } from './simError';

interface Window {
  startMs: number;
  used: number;
  bannedUntilMs: number;
}

export interface RateLimitVerdict {
  readonly headers: Record<string, string>;
  readonly error: SimError | undefined;
}

/** Bounds the number of tracked callers (keys or addresses) so a flood cannot grow memory. */
const MAX_TRACKED_CALLERS = 10_000;

/**
 * Bitvavo's weight budget per API key (or per address for unauthenticated calls): `limitPerMin` points
 * in a fixed one-minute window; the request that would go over it gets 429 / 105 and a ban.
 */
export class SimRateLimiter {
  private windows = new Map<string, Window>();

  constructor(
    private readonly limitPerMin: number,
    private readonly banMs: number,
  ) {}

  reset(): void {
    this.windows.clear();
  }

  charge(caller: string, weight: number, nowMs: number): RateLimitVerdict {
    if (this.limitPerMin <= 0) return { headers: {}, error: undefined };
    let window = this.windows.get(caller);
    if (window === undefined) {
      if (this.windows.size >= MAX_TRACKED_CALLERS) this.windows.clear();
      window = { startMs: nowMs, used: 0, bannedUntilMs: 0 };
      this.windows.set(caller, window);
    }
    if (nowMs < window.bannedUntilMs) return this.banned(window);
    // A served ban starts a fresh window; so does the end of a minute.
    if (window.bannedUntilMs > 0 || nowMs >= window.startMs + RATE_LIMIT_WINDOW_MS) {
      window.bannedUntilMs = 0;
      window.startMs = nowMs;
      window.used = 0;
    }
    if (window.used + weight > this.limitPerMin) {
      window.bannedUntilMs = nowMs + this.banMs;
      window.used = this.limitPerMin;
      return this.banned(window);
    }
    window.used += weight;
    return {
      headers: this.headers(window.startMs + RATE_LIMIT_WINDOW_MS, this.limitPerMin - window.used),
      error: undefined,
    };
  }

  private banned(window: Window): RateLimitVerdict {
    return {
      headers: this.headers(window.bannedUntilMs, 0),
      error: simError(
        429,
        105,
        `Your IP or API key has been banned for not respecting the rate limit. The ban expires at ${window.bannedUntilMs}.`,
      ),
    };
  }

  private headers(resetAtMs: number, remaining: number): Record<string, string> {
    return {
      'bitvavo-ratelimit-limit': String(this.limitPerMin),
      'bitvavo-ratelimit-remaining': String(Math.max(0, remaining)),
      'bitvavo-ratelimit-resetat': String(resetAtMs),
    };
  }
}
