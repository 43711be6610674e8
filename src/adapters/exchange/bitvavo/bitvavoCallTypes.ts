import type { Logger } from 'pino';
import type { ExchangeOutcomeClass } from '../../../domain/exchange/classifyExchangeError';
import type { Clock } from '../../../domain/ports/clock';
import type { ExchangeFailure } from '../../../domain/ports/exchange';
import type { HttpTransport } from './httpTransport';
import type { RateLimitBudget, RequestPriority } from './rateLimitBudget';

export interface RequestEvent {
  readonly method: string;
  /** The endpoint below the API root, without query: `/order`. */
  readonly endpoint: string;
  readonly durationMs: number;
  /** `REFUSED_LOCALLY`: the rate-limit budget kept the request from being sent. */
  readonly outcome: ExchangeOutcomeClass | 'REFUSED_LOCALLY';
  readonly httpStatus: number | undefined;
  readonly errorCode: number | undefined;
}

/** Callbacks for metrics; a throwing hook is ignored, it never breaks a call. */
export interface BitvavoClientHooks {
  readonly onRequest?: (event: RequestEvent) => void;
  readonly onRateLimit?: (event: {
    readonly remaining: number;
    readonly resetAtMs: number | undefined;
  }) => void;
}

export interface CallSpec {
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly endpoint: string;
  readonly query?: Readonly<Record<string, string | number | undefined>>;
  readonly body?: Readonly<Record<string, unknown>>;
  readonly signed: boolean;
  readonly priority: RequestPriority;
}

export type CallResult = { readonly ok: true; readonly body: unknown } | ExchangeFailure;

export interface BitvavoHttpOptions {
  readonly transport: HttpTransport;
  readonly basePath: string;
  readonly apiKey: string;
  readonly apiSecret: string;
  readonly timeoutMs: number;
  readonly accessWindowMs: number;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly budget: RateLimitBudget;
  readonly hooks: BitvavoClientHooks;
  /** How often the server-time offset is refreshed; 0 turns syncing off. */
  readonly timeSyncIntervalMs: number;
}
