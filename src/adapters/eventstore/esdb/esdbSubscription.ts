import {
  START,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type EventStoreDBClient,
} from '@eventstore/db-client';
import {
  comparePositions,
  EventStoreUnavailable,
  type GlobalPosition,
  type RecordedEvent,
  type SubscribeToAllOptions,
  type Subscription,
} from '../../../domain/ports/eventStore';
import { BatchReader } from './batchReader';
import { isTransient, unavailable } from './esdbErrors';
import { hasRealPosition, isSystemEvent, matchesPrefixes, toRecordedEvent } from './esdbEvents';

/** One page of `$all`, filtered on this side (the v6 client reads `$all` without a server-side filter). */
export interface AllPage {
  /** Matching events strictly after the requested position, in global order. */
  readonly events: RecordedEvent[];
  /** The last position looked at, matching or not; undefined when nothing lay after the request. */
  readonly scannedTo: GlobalPosition | undefined;
  readonly reachedEnd: boolean;
}

export type ReadAllPage = (
  after: GlobalPosition | undefined,
  prefixes: readonly string[],
) => Promise<AllPage>;

export interface ReconnectPolicy {
  /** Failed (re)subscriptions in a row before `done` rejects with EventStoreUnavailable. */
  readonly maxAttemptsInRow: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /**
   * A live subscription that stayed up this long before it dropped counts as recovered: the failures
   * in a row start again from zero. A mere confirmation does not (a server that confirms and then drops
   * every time would otherwise be resubscribed forever).
   */
  readonly stableAfterMs: number;
}

export interface EsdbSubscriptionOptions extends SubscribeToAllOptions {
  readonly prefixes: readonly string[];
  readonly batchSize: number;
}

/** Pages read while catching up before handing over to the server's own catch-up (bounds the loop). */
const MAX_CATCH_UP_PAGES = 100_000;

class HandlerFailed extends Error {
  constructor(readonly original: unknown) {
    super('subscription handler failed');
  }
}

class SubscriptionEnded extends Error {
  override readonly name = 'SubscriptionEnded';
  readonly code = 14; // treated like UNAVAILABLE: the server let go of us, subscribe again
}

/**
 * Catch-up, then live. Catch-up reads `$all` page by page, so "caught up" means: everything committed
 * when the last page was read has been handled (this works on every server version). Live is a filtered
 * `$all` subscription from the last position handled. After a dropped subscription it subscribes again
 * from that position, exclusive, and drops anything at or before it: no event is lost or repeated.
 */
export class EsdbSubscription implements Subscription {
  readonly done: Promise<void>;
  private stopped = false;
  private position: GlobalPosition | undefined;
  private caughtUp = false;
  private failuresInRow = 0;
  /** When the current live subscription was confirmed (performance.now()), if it was. */
  private liveConfirmedAtMs: number | undefined;
  private live: { reader: BatchReader<AllStreamResolvedEvent>; cancel: () => Promise<void> } | undefined;
  private wakeSleeper: (() => void) | undefined;

  constructor(
    private readonly client: EventStoreDBClient,
    private readonly readPage: ReadAllPage,
    private readonly options: EsdbSubscriptionOptions,
    private readonly policy: ReconnectPolicy,
  ) {
    this.position = hasRealPosition(options.after) ? options.after : undefined;
    this.done = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeSleeper?.();
    const live = this.live;
    live?.reader.abort();
    await live?.cancel().catch(() => undefined);
    await this.done.catch(() => undefined);
  }

  private async run(): Promise<void> {
    // Bounded by stop(), a handler failure, or maxAttemptsInRow failures in a row.
    while (!this.stopped) {
      try {
        if (!this.caughtUp) await this.catchUpByReading();
        if (this.stopped) break;
        await this.followLive();
      } catch (error) {
        if (error instanceof HandlerFailed) throw error.original;
        if (this.stopped) break;
        const retryable =
          isTransient(error) || error instanceof SubscriptionEnded || error instanceof EventStoreUnavailable;
        if (!retryable) throw error;
        const liveForMs =
          this.liveConfirmedAtMs === undefined ? 0 : performance.now() - this.liveConfirmedAtMs;
        if (liveForMs >= this.policy.stableAfterMs) this.failuresInRow = 0;
        this.failuresInRow += 1;
        if (this.failuresInRow > this.policy.maxAttemptsInRow) {
          throw error instanceof EventStoreUnavailable ? error : unavailable(error);
        }
        await this.sleep(
          Math.min(this.policy.baseDelayMs * 2 ** (this.failuresInRow - 1), this.policy.maxDelayMs),
        );
      }
    }
  }

  private signalCaughtUp(): void {
    if (this.caughtUp) return;
    this.caughtUp = true;
    this.options.onCaughtUp?.();
  }

  private async catchUpByReading(): Promise<void> {
    for (let page = 0; page < MAX_CATCH_UP_PAGES && !this.stopped; page++) {
      const result = await this.readPage(this.position, this.options.prefixes);
      // Progress, not a mere answer, shows the connection is back.
      if (result.events.length > 0) this.failuresInRow = 0;
      for (let start = 0; start < result.events.length && !this.stopped; start += this.options.batchSize) {
        await this.deliver(result.events.slice(start, start + this.options.batchSize));
      }
      if (this.stopped) return;
      if (result.scannedTo && (!this.position || comparePositions(result.scannedTo, this.position) > 0)) {
        this.position = result.scannedTo;
      }
      if (result.reachedEnd) {
        this.signalCaughtUp();
        return;
      }
    }
    // Still behind after that many pages: the live subscription catches up on the server and says when.
  }

  private async followLive(): Promise<void> {
    const subscription = this.client.subscribeToAll(
      {
        fromPosition: this.position ?? START,
        filter: streamNameFilter({ prefixes: [...this.options.prefixes] }),
      },
      { highWaterMark: this.options.batchSize },
    );
    const reader = new BatchReader<AllStreamResolvedEvent>(subscription);
    this.liveConfirmedAtMs = undefined;
    subscription.on('confirmation', () => {
      this.liveConfirmedAtMs = performance.now();
    });
    subscription.on('caughtUp', () => this.signalCaughtUp());
    this.live = { reader, cancel: () => subscription.unsubscribe() };
    try {
      // Ends with the subscription: stop(), a drop (error) or the server ending the call.
      for (;;) {
        const batch = await reader.next(this.options.batchSize);
        if (batch === undefined) {
          if (this.stopped) return;
          throw new SubscriptionEnded('the server ended the subscription');
        }
        const events = this.fresh(batch);
        if (events.length > 0) {
          await this.deliver(events);
          this.failuresInRow = 0;
        }
        if (this.stopped) return;
      }
    } finally {
      this.live = undefined;
      await subscription.unsubscribe().catch(() => undefined);
    }
  }

  /** Ledger events strictly after the last one handled; a resubscription may repeat the boundary. */
  private fresh(batch: readonly AllStreamResolvedEvent[]): RecordedEvent[] {
    const events: RecordedEvent[] = [];
    let last = this.position;
    for (const resolved of batch) {
      if (isSystemEvent(resolved) || !matchesPrefixes(resolved.event!.streamId, this.options.prefixes))
        continue;
      const event = toRecordedEvent(resolved);
      if (last && comparePositions(event.position, last) <= 0) continue;
      events.push(event);
      last = event.position;
    }
    return events;
  }

  private async deliver(events: RecordedEvent[]): Promise<void> {
    if (events.length === 0) return;
    try {
      await this.options.onEvents(events);
    } catch (error) {
      throw new HandlerFailed(error);
    }
    this.position = events.at(-1)!.position;
  }

  private async sleep(durationMs: number): Promise<void> {
    if (this.stopped) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, durationMs);
      this.wakeSleeper = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wakeSleeper = undefined;
  }
}
