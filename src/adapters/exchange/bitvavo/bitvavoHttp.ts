import { classifyExchangeError } from '../../../domain/exchange/classifyExchangeError';
import type { ExchangeFailure } from '../../../domain/ports/exchange';
import type { BitvavoHttpOptions, CallResult, CallSpec, RequestEvent } from './bitvavoCallTypes';
import { endpointWeight } from './endpointWeights';
import { errorBodySchema, parseTime } from './parseBitvavo';
import { signRequest } from './signRequest';

export type {
  BitvavoClientHooks,
  BitvavoHttpOptions,
  CallResult,
  CallSpec,
  RequestEvent,
} from './bitvavoCallTypes';

const MAX_ERROR_TEXT = 200;
/**
 * A clock sync whose round trip took longer is not used: the server's time lies somewhere in the
 * round trip, so the midpoint estimate can be off by up to half of it, and that error moves the access
 * window of every signed request (reconcile allows for CLOCK_SKEW_MAX_MS, 5 s by default).
 */
const MAX_SYNC_ROUND_TRIP_MS = 1_000;
const BAN_EXPIRY_PATTERN = /(\d{13})/;

function headerNumber(
  headers: Record<string, string | string[] | undefined>,
  name: string,
): number | undefined {
  const raw = headers[name];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined || value.trim() === '') return undefined;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : undefined;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/**
 * Signed calls to Bitvavo: one place for the budget, the clock offset, signing, classification,
 * logging and hooks. Every outcome is a value; nothing here throws for an exchange or network failure.
 * Neither the secret nor the signature is ever logged or put in a message.
 */
export class BitvavoHttp {
  private offsetMs = 0;
  private syncedAtMs: number | undefined;
  private syncing: Promise<void> | undefined;

  constructor(private readonly options: BitvavoHttpOptions) {}

  serverTimeOffsetMs(): number {
    return this.offsetMs;
  }

  rateLimitRemaining(): number {
    return this.options.budget.remainingPoints(this.options.clock.nowMs());
  }

  bannedUntilMs(): number | null {
    return this.options.budget.bannedUntil(this.options.clock.nowMs());
  }

  /** Measures the server clock against ours (GET /time); the midpoint of the round trip is the estimate. */
  async syncServerTime(): Promise<void> {
    this.syncing ??= this.doSyncServerTime().finally(() => {
      this.syncing = undefined;
    });
    return this.syncing;
  }

  private async doSyncServerTime(): Promise<void> {
    const { clock } = this.options;
    const startMs = clock.nowMs();
    const result = await this.call({ method: 'GET', endpoint: '/time', signed: false, priority: 'read' });
    const endMs = clock.nowMs();
    // Even a failed sync counts as an attempt, so an unreachable /time does not double every call.
    this.syncedAtMs = endMs;
    if (!result.ok) return;
    const parsed = parseTime(result.body);
    if (!parsed.ok) return;
    const roundTripMs = endMs - startMs;
    if (roundTripMs > MAX_SYNC_ROUND_TRIP_MS) {
      this.options.logger.warn(
        { roundTripMs, maxRoundTripMs: MAX_SYNC_ROUND_TRIP_MS, offsetMs: this.offsetMs },
        'bitvavo server time not used: the round trip was too slow to estimate it; keeping the last offset',
      );
      return;
    }
    this.offsetMs = Math.round(parsed.value - (startMs + endMs) / 2);
    this.options.logger.debug({ offsetMs: this.offsetMs }, 'bitvavo server time offset');
  }

  private async ensureTimeSynced(): Promise<void> {
    const interval = this.options.timeSyncIntervalMs;
    if (interval <= 0) return;
    const nowMs = this.options.clock.nowMs();
    if (this.syncedAtMs === undefined || nowMs - this.syncedAtMs >= interval) await this.syncServerTime();
  }

  async call(spec: CallSpec): Promise<CallResult> {
    const { budget, clock, logger } = this.options;
    // The signature's timestamp is the moment of the call, not the moment after a clock sync: the
    // caller records its send time before calling, and reconcile trusts that the exchange accepts the
    // order only within the access window of that time. A slow GET /time must not move the window
    // later; the exchange refuses a request that comes too late with 304 (not executed).
    const calledAtMs = clock.nowMs();
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(spec.query ?? {})) {
      if (value !== undefined) params.append(key, String(value));
    }
    const weight = endpointWeight(spec.method, spec.endpoint, params);
    const decision = budget.tryAcquire(weight, spec.priority, clock.nowMs());
    if (!decision.ok) {
      const message = `rate-limit budget ${decision.reason}: request not sent before ${new Date(decision.retryAtMs).toISOString()}`;
      logger.warn(
        { method: spec.method, endpoint: spec.endpoint, weight, reason: decision.reason },
        'bitvavo request refused locally',
      );
      this.emitRequest(spec, 0, 'REFUSED_LOCALLY', undefined, undefined);
      return {
        ok: false,
        errorClass: 'SOFT_NOT_EXECUTED',
        httpStatus: undefined,
        errorCode: undefined,
        message,
      };
    }
    if (spec.signed) await this.ensureTimeSynced();

    const query = params.toString();
    const path = `${this.options.basePath}${spec.endpoint}${query === '' ? '' : `?${query}`}`;
    const body = spec.body === undefined ? '' : JSON.stringify(spec.body);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== '') headers['content-type'] = 'application/json';
    if (spec.signed) {
      const timestampMs = calledAtMs + this.offsetMs;
      headers['bitvavo-access-key'] = this.options.apiKey;
      headers['bitvavo-access-timestamp'] = String(timestampMs);
      headers['bitvavo-access-window'] = String(this.options.accessWindowMs);
      headers['bitvavo-access-signature'] = signRequest(this.options.apiSecret, {
        timestampMs,
        method: spec.method,
        path,
        body,
      });
    }

    const startMs = clock.nowMs();
    const result = await this.options.transport.send({
      method: spec.method,
      path,
      headers,
      body,
      timeoutMs: this.options.timeoutMs,
    });
    const durationMs = clock.nowMs() - startMs;
    const logContext = { method: spec.method, endpoint: spec.endpoint, durationMs };

    if (result.kind === 'transport_error') {
      const errorClass = classifyExchangeError({ transport: result.transport });
      logger.warn(
        { ...logContext, transport: result.transport, detail: result.detail, errorClass },
        'bitvavo transport error',
      );
      this.emitRequest(spec, durationMs, errorClass, undefined, undefined);
      return {
        ok: false,
        errorClass: errorClass === 'ACKNOWLEDGED' ? 'UNKNOWN' : errorClass,
        httpStatus: undefined,
        errorCode: undefined,
        message: `transport error (${result.transport}: ${result.detail}) on ${spec.method} ${spec.endpoint}`,
      };
    }

    this.observeRateLimitHeaders(result.headers);
    const json = parseJson(result.bodyText);
    if (result.status >= 200 && result.status < 300) {
      if (!json.ok) {
        logger.warn({ ...logContext, status: result.status }, 'bitvavo answered with an unreadable body');
        this.emitRequest(spec, durationMs, 'UNKNOWN', result.status, undefined);
        return this.brokenResponse(spec, result.status, 'body is not JSON');
      }
      logger.debug({ ...logContext, status: result.status, weight }, 'bitvavo request');
      this.emitRequest(spec, durationMs, 'ACKNOWLEDGED', result.status, undefined);
      return { ok: true, body: json.value };
    }

    const errorBody = json.ok ? errorBodySchema.safeParse(json.value) : undefined;
    const errorCode = errorBody?.success ? errorBody.data.errorCode : undefined;
    const errorText = (errorBody?.success ? (errorBody.data.error ?? '') : '').slice(0, MAX_ERROR_TEXT);
    const outcome = classifyExchangeError({ httpStatus: result.status, errorCode });
    const errorClass = outcome === 'ACKNOWLEDGED' ? 'UNKNOWN' : outcome;
    this.afterError(result.status, errorCode, errorText, result.headers);
    const level = errorClass === 'NOT_FOUND' ? 'debug' : 'warn';
    logger[level]({ ...logContext, status: result.status, errorCode, errorClass }, 'bitvavo error answer');
    this.emitRequest(spec, durationMs, errorClass, result.status, errorCode);
    return {
      ok: false,
      errorClass,
      httpStatus: result.status,
      errorCode,
      message: `bitvavo ${result.status}${errorCode === undefined ? '' : ` errorCode ${errorCode}`}: ${errorText || 'no error text'}`,
    };
  }

  /** A 2xx whose body we cannot read: the request was processed, its result is unknown to us. */
  brokenResponse(
    spec: Pick<CallSpec, 'method' | 'endpoint'>,
    httpStatus: number,
    problem: string,
  ): ExchangeFailure {
    return {
      ok: false,
      errorClass: 'UNKNOWN',
      httpStatus,
      errorCode: undefined,
      message: `unreadable answer to ${spec.method} ${spec.endpoint}: ${problem}`.slice(0, 400),
    };
  }

  private afterError(
    httpStatus: number,
    errorCode: number | undefined,
    errorText: string,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    const nowMs = this.options.clock.nowMs();
    if (errorCode === 105 || errorCode === 103 || (httpStatus === 429 && errorCode === undefined)) {
      const fromText = BAN_EXPIRY_PATTERN.exec(errorText)?.[1];
      const untilMs =
        fromText !== undefined ? Number(fromText) : headerNumber(headers, 'bitvavo-ratelimit-resetat');
      // The ban is stated in server time; our clock is offset from it.
      this.options.budget.observeBan(untilMs === undefined ? undefined : untilMs - this.offsetMs, nowMs);
      this.emitRateLimit();
    }
    if (errorCode === 302 || errorCode === 304) this.syncedAtMs = undefined; // resync before the next call
  }

  private observeRateLimitHeaders(headers: Record<string, string | string[] | undefined>): void {
    const remaining = headerNumber(headers, 'bitvavo-ratelimit-remaining');
    if (remaining === undefined) return;
    const resetAt = headerNumber(headers, 'bitvavo-ratelimit-resetat');
    this.options.budget.observeHeaders(
      {
        remaining,
        resetAtMs: resetAt === undefined ? undefined : resetAt - this.offsetMs,
        limit: headerNumber(headers, 'bitvavo-ratelimit-limit'),
      },
      this.options.clock.nowMs(),
    );
    this.emitRateLimit();
  }

  private emitRateLimit(): void {
    const hook = this.options.hooks.onRateLimit;
    if (hook === undefined) return;
    try {
      hook({ remaining: this.rateLimitRemaining(), resetAtMs: this.options.budget.resetAt() });
    } catch {
      // Metrics must never break trading.
    }
  }

  private emitRequest(
    spec: CallSpec,
    durationMs: number,
    outcome: RequestEvent['outcome'],
    httpStatus: number | undefined,
    errorCode: number | undefined,
  ): void {
    const hook = this.options.hooks.onRequest;
    if (hook === undefined) return;
    try {
      hook({ method: spec.method, endpoint: spec.endpoint, durationMs, outcome, httpStatus, errorCode });
    } catch {
      // Metrics must never break trading.
    }
  }
}
