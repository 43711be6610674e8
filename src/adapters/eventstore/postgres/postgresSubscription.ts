import pg from 'pg';
import { concernsPayload, concernsStream } from './streamCategories';
import {
  EventStoreUnavailable,
  type EventStore,
  type GlobalPosition,
  type SubscribeToAllOptions,
  type Subscription,
} from '../../../domain/ports/eventStore';

const DEFAULT_BATCH_SIZE = 500;
const MAX_BATCH_SIZE = 10_000;
export const NOTIFY_CHANNEL = 'ledger_events';
const MAX_READ_FAILURES_IN_ROW = 30;

/**
 * Catch-up then live subscription to the global order. A NOTIFY (sent by every append) wakes it; a
 * poll every `pollIntervalMs` covers what a notification cannot: an older transaction that commits
 * without appending (it still held the read horizon back), or a listener connection that dropped.
 */
export class PostgresSubscription implements Subscription {
  readonly done: Promise<void>;
  private stopped = false;
  private wake: (() => void) | undefined;
  private woken = false;
  private listener: pg.Client | undefined;

  constructor(
    private readonly store: EventStore,
    private readonly pool: pg.Pool,
    private readonly options: SubscribeToAllOptions & { pollIntervalMs: number; liveBatchDelayMs: number },
  ) {
    this.done = this.run();
  }

  /** New events may be visible: read now instead of at the next poll. */
  wakeUp(): void {
    this.woken = true;
    this.wake?.();
  }

  /** An append to this stream committed in this process: wakes it if the stream is one of its own. */
  wakeUpFor(streamId: string): void {
    if (concernsStream(this.options.streamPrefixes, streamId)) this.wakeUp();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.done.catch(() => undefined);
  }

  private async listen(): Promise<void> {
    if (this.listener || this.stopped) return;
    const { connectionString, ...rest } = this.pool.options as pg.ClientConfig;
    const client = new pg.Client({ ...rest, ...(connectionString ? { connectionString } : {}) });
    client.on('notification', (message) => {
      if (concernsPayload(this.options.streamPrefixes, message.payload ?? '')) this.wakeUp();
    });
    client.on('error', () => {
      // The poll keeps the subscription going; the next loop reconnects the listener.
      if (this.listener === client) this.listener = undefined;
      client.end().catch(() => undefined);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${NOTIFY_CHANNEL}`);
      this.listener = client;
    } catch {
      await client.end().catch(() => undefined);
    }
  }

  private async sleep(durationMs: number): Promise<void> {
    if (this.woken || this.stopped) {
      this.woken = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, durationMs);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wake = undefined;
    this.woken = false;
  }

  private async run(): Promise<void> {
    const batchSize = Math.min(Math.max(1, this.options.batchSize ?? DEFAULT_BATCH_SIZE), MAX_BATCH_SIZE);
    let position: GlobalPosition | undefined = this.options.after;
    let caughtUp = false;
    let failuresInRow = 0;
    try {
      // Bounded only by stop(): a subscription lives as long as its owner wants it to.
      while (!this.stopped) {
        await this.listen();
        const readStartedMs = performance.now();
        let page;
        try {
          page = await this.store.readAll({
            ...(position ? { after: position } : {}),
            maxCount: batchSize,
            ...(this.options.streamPrefixes ? { streamPrefixes: this.options.streamPrefixes } : {}),
          });
          failuresInRow = 0;
        } catch (error) {
          // A database restart should not kill every projection; a long outage should be seen.
          if (!(error instanceof EventStoreUnavailable) || ++failuresInRow > MAX_READ_FAILURES_IN_ROW)
            throw error;
          await this.sleep(Math.min(this.options.pollIntervalMs * 2 ** failuresInRow, 5_000));
          continue;
        }
        const { events, lastPosition, endReached } = page;
        if (this.stopped) break;
        if (events.length > 0) await this.options.onEvents(events);
        // Also without events: a filtered read may have looked past events of other streams.
        if (lastPosition) position = lastPosition;
        if (!endReached) continue;
        if (!caughtUp) {
          caughtUp = true;
          this.options.onCaughtUp?.();
        }
        // Live: let appends gather for a moment, so that a busy store is applied in batches of many
        // events (one transaction each) rather than a transaction per append.
        const gatherMs = readStartedMs + this.options.liveBatchDelayMs - performance.now();
        if (gatherMs > 0) await new Promise((resolve) => setTimeout(resolve, gatherMs));
        await this.sleep(this.options.pollIntervalMs);
      }
    } finally {
      const listener = this.listener;
      this.listener = undefined;
      await listener?.end().catch(() => undefined);
    }
  }
}
