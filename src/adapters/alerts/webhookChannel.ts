import type { Logger } from 'pino';
import type { AlertChannel, ChannelStats } from './alertChannel';

export interface WebhookChannelOptions {
  /** A Slack-compatible incoming webhook. It carries a token: it is never logged. */
  readonly url: string;
  readonly logger: Logger;
  /** Messages waiting at most; the oldest is dropped (and counted) when full. Default 100. */
  readonly queueMax?: number;
  /** Attempts per message, the first included. Default 6. */
  readonly maxAttempts?: number;
  /** The first retry waits about this long; each next one twice as long. Default 500 ms. */
  readonly baseDelayMs?: number;
  /** No wait is longer than this, whatever Retry-After says. Default 30 s. */
  readonly maxDelayMs?: number;
  /** Per POST. Default 5 s. */
  readonly timeoutMs?: number;
  /** Randomness for the backoff jitter (tests pass a constant). */
  readonly random?: () => number;
}

export const MAX_MESSAGE_CHARS = 3_000;

type Attempt =
  | { readonly ok: true }
  | { readonly ok: false; readonly retry: boolean; readonly retryAfterMs?: number; readonly why: string };

function retryAfterMs(header: string | null): number | undefined {
  if (header === null) return undefined;
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

/**
 * Posts `{ "text": ... }` to a Slack-compatible webhook, one message at a time in order, from a
 * bounded queue. Network errors, timeouts, 429 and 5xx are retried with exponential backoff (bounded
 * attempts and delays); any other 4xx is final. A failed delivery is logged without the URL.
 */
export class WebhookChannel implements AlertChannel {
  readonly name = 'webhook';
  private readonly queue: string[] = [];
  private readonly queueMax: number;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly timeoutMs: number;
  private readonly random: () => number;
  private worker: Promise<void> | null = null;
  private closed = false;
  private readonly abort = new AbortController();
  private counts = { delivered: 0, failed: 0, dropped: 0 };

  constructor(private readonly options: WebhookChannelOptions) {
    this.queueMax = Math.max(1, options.queueMax ?? 100);
    this.maxAttempts = Math.min(Math.max(1, options.maxAttempts ?? 6), 20);
    this.baseDelayMs = Math.max(0, options.baseDelayMs ?? 500);
    this.maxDelayMs = Math.max(this.baseDelayMs, options.maxDelayMs ?? 30_000);
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.random = options.random ?? Math.random;
  }

  deliver(text: string): void {
    if (this.closed) return;
    if (this.queue.length >= this.queueMax) {
      this.queue.shift();
      this.counts.dropped += 1;
      this.options.logger.warn(
        { channel: this.name, queueMax: this.queueMax },
        'alert queue full: oldest message dropped',
      );
    }
    this.queue.push(text.length > MAX_MESSAGE_CHARS ? `${text.slice(0, MAX_MESSAGE_CHARS - 1)}…` : text);
    this.kick();
  }

  private kick(): void {
    if (this.worker !== null || this.closed) return;
    this.worker = this.drain().finally(() => {
      this.worker = null;
      // A message queued between the drain's last look and this line must not wait for the next one.
      if (this.queue.length > 0) this.kick();
    });
  }

  async flush(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.worker !== null && Date.now() < deadline) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        this.worker,
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
        }),
      ]);
      if (timer !== undefined) clearTimeout(timer);
    }
  }

  /** Gives the queue a few seconds, then stops retrying. */
  async close(timeoutMs = 5_000): Promise<void> {
    await this.flush(timeoutMs);
    this.closed = true;
    this.abort.abort();
    await this.worker;
  }

  stats(): ChannelStats {
    return { ...this.counts, queued: this.queue.length };
  }

  private async drain(): Promise<void> {
    for (let guard = 0; guard < 1_000_000; guard++) {
      // Out of the queue while in flight: the queue bound counts only messages still waiting.
      const text = this.queue.shift();
      if (text === undefined) return;
      await this.send(text);
      if (this.abort.signal.aborted) return;
    }
  }

  private async send(text: string): Promise<void> {
    let last = 'not attempted';
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      const result = await this.post(text);
      if (result.ok) {
        this.counts.delivered += 1;
        return;
      }
      last = result.why;
      if (!result.retry || attempt === this.maxAttempts || this.abort.signal.aborted) break;
      const backoff = this.baseDelayMs * 2 ** (attempt - 1);
      const jittered = backoff / 2 + (this.random() * backoff) / 2;
      await this.sleep(Math.min(this.maxDelayMs, Math.max(jittered, result.retryAfterMs ?? 0)));
    }
    this.counts.failed += 1;
    this.options.logger.error(
      { channel: this.name, why: last },
      'alert could not be delivered to the webhook',
    );
  }

  private async post(text: string): Promise<Attempt> {
    try {
      const response = await fetch(this.options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      await response.arrayBuffer().catch(() => undefined);
      if (response.ok) return { ok: true };
      const retry = response.status === 429 || response.status >= 500;
      const after = retryAfterMs(response.headers.get('retry-after'));
      return {
        ok: false,
        retry,
        why: `HTTP ${response.status}`,
        ...(after === undefined ? {} : { retryAfterMs: after }),
      };
    } catch (error) {
      const name = (error as Error).name;
      return { ok: false, retry: true, why: name === 'TimeoutError' ? 'timeout' : `network error (${name})` };
    }
  }

  private sleep(ms: number): Promise<void> {
    const signal = this.abort.signal;
    return new Promise((resolve) => {
      const onAbort = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
