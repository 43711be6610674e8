/** Where notification text goes: a chat webhook, a log, a test double. `deliver` never blocks or throws. */
export interface AlertChannel {
  readonly name: string;
  /** Queues one message; delivery (with its retries) happens in the background. */
  deliver(text: string): void;
  /** Resolves once everything queued so far was delivered or given up on, or after `timeoutMs`. */
  flush(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
  stats(): ChannelStats;
}

export interface ChannelStats {
  readonly delivered: number;
  /** Given up on after the last retry, or refused for good by the receiver. */
  readonly failed: number;
  /** Thrown away because the queue was full. */
  readonly dropped: number;
  readonly queued: number;
}

/** For deployments without a webhook: the notifier's log line is the whole delivery. */
export class LogOnlyChannel implements AlertChannel {
  readonly name = 'log';
  private count = 0;
  deliver(): void {
    this.count += 1;
  }
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
  stats(): ChannelStats {
    return { delivered: this.count, failed: 0, dropped: 0, queued: 0 };
  }
}
