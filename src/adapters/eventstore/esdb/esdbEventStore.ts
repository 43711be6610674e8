import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  START,
  type AppendResult as ClientAppendResult,
} from '@eventstore/db-client';
import {
  assertAppendable,
  comparePositions,
  MAX_READ_ALL_COUNT,
  MAX_READ_STREAM_COUNT,
  type AppendResult,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type GlobalPosition,
  type ReadAllOptions,
  type ReadAllResult,
  type ReadStreamOptions,
  type StreamReadRequest,
  type RecordedEvent,
  type SubscribeToAllOptions,
  type Subscription,
} from '../../../domain/ports/eventStore';
import { readStreamsOneByOne } from '../readStreamsOneByOne';
import { isTransient, mapAppendError, mapReadError } from './esdbErrors';
import {
  hasRealPosition,
  isSystemEvent,
  LEDGER_STREAM_PREFIXES,
  matchesPrefixes,
  toEventData,
  toPosition,
  toRecordedEvent,
} from './esdbEvents';
import { EsdbSubscription, type AllPage, type ReconnectPolicy } from './esdbSubscription';

export interface EsdbEventStoreOptions {
  /** Streams that `readAll` and `subscribeToAll` see when the caller names none. */
  readonly defaultStreamPrefixes?: readonly string[];
  /** Attempts of one append on a transient failure, always with the same event ids. */
  readonly appendAttempts?: number;
  readonly appendRetryDelayMs?: number;
  readonly reconnect?: Partial<ReconnectPolicy>;
  /** Events of `$all` fetched per read, matching or not. */
  readonly readPageSize?: number;
  /** Upper bound on events one `readAll` call looks at before it answers with what it has. */
  readonly maxScannedPerReadAll?: number;
}

const DEFAULT_BATCH_SIZE = 500;
const MAX_BATCH_SIZE = 10_000;
const DEFAULT_RECONNECT: ReconnectPolicy = {
  maxAttemptsInRow: 10,
  baseDelayMs: 100,
  maxDelayMs: 5_000,
  stableAfterMs: 10_000,
};
/** A page must hold more than the event at its start position, which `$all` reads return again. */
const MIN_PAGE_SIZE = 16;
const MAX_PAGE_SIZE = 4_096;

const clamp = (value: number, min: number, max: number) => Math.min(Math.max(value, min), max);
const delay = (durationMs: number) => new Promise((resolve) => setTimeout(resolve, durationMs));

/**
 * The event store on EventStoreDB through the official client. Streams map one to one; the global
 * position is EventStoreDB's own `$all` position (commit, prepare). Stream-level optimistic concurrency
 * is the server's: an append with `no_stream` or an exact revision is the lock the ledger relies on.
 */
export class EsdbEventStore implements EventStore {
  private readonly subscriptions = new Set<EsdbSubscription>();
  private readonly defaultPrefixes: readonly string[];
  private readonly reconnect: ReconnectPolicy;
  private closed = false;

  constructor(
    private readonly client: EventStoreDBClient,
    private readonly options: EsdbEventStoreOptions = {},
  ) {
    this.defaultPrefixes = options.defaultStreamPrefixes ?? LEDGER_STREAM_PREFIXES;
    this.reconnect = { ...DEFAULT_RECONNECT, ...options.reconnect };
  }

  async appendToStream(
    streamId: string,
    events: readonly EventToAppend[],
    options: { expectedRevision: ExpectedRevision },
  ): Promise<AppendResult> {
    assertAppendable(streamId, events);
    const expected = options.expectedRevision;
    if (typeof expected === 'bigint' && expected < 0n)
      throw new Error(`expected revision must be >= 0, got ${expected}`);
    const data = toEventData(events);
    const attempts = clamp(this.options.appendAttempts ?? 3, 1, 10);
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await this.client.appendToStream(streamId, data, { expectedRevision: expected });
        return {
          nextExpectedRevision: result.nextExpectedRevision,
          position: await this.lastPosition(streamId, result, data.length),
        };
      } catch (error) {
        // The same ids again: if the lost attempt was written after all, the server answers as done.
        if (attempt < attempts && isTransient(error) && !this.closed) {
          await delay((this.options.appendRetryDelayMs ?? 100) * attempt);
          continue;
        }
        mapAppendError(error, streamId, expected);
      }
    }
  }

  /**
   * The server reports one position for a whole append (its commit), which is the last event's only
   * when the append holds one event. For more, the last event is read back for its exact position.
   */
  private async lastPosition(
    streamId: string,
    result: ClientAppendResult,
    count: number,
  ): Promise<GlobalPosition> {
    const reported = toPosition(result.position);
    if (count === 1) return reported;
    try {
      const [last] = await this.readStream(streamId, {
        direction: 'backwards',
        fromRevision: result.nextExpectedRevision,
        maxCount: 1,
      });
      return last && last.position.commit >= 0n ? last.position : reported;
    } catch {
      return reported; // the append stands; only the position is less precise
    }
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const backwards = options.direction === 'backwards';
    const maxCount = clamp(options.maxCount ?? MAX_READ_STREAM_COUNT, 1, MAX_READ_STREAM_COUNT);
    const events: RecordedEvent[] = [];
    try {
      const read = this.client.readStream(streamId, {
        direction: backwards ? BACKWARDS : FORWARDS,
        fromRevision: options.fromRevision ?? (backwards ? END : START),
        maxCount,
      });
      for await (const resolved of read) events.push(toRecordedEvent(resolved));
    } catch (error) {
      mapReadError(error, streamId);
    }
    return events;
  }

  readStreams(requests: readonly StreamReadRequest[], maxCountPerStream: number): Promise<RecordedEvent[][]> {
    return readStreamsOneByOne(this, requests, maxCountPerStream);
  }

  async readAll(options: ReadAllOptions): Promise<ReadAllResult> {
    const maxCount = clamp(options.maxCount, 1, MAX_READ_ALL_COUNT);
    const prefixes = this.prefixes(options.streamPrefixes);
    const pageSize = clamp(this.options.readPageSize ?? maxCount + 1, MIN_PAGE_SIZE, MAX_PAGE_SIZE);
    const maxScanned = this.options.maxScannedPerReadAll ?? 100_000;
    const events: RecordedEvent[] = [];
    let cursor = hasRealPosition(options.after) ? options.after : undefined;
    let endReached = false;
    for (let scanned = 0; events.length < maxCount && scanned < maxScanned; scanned += pageSize) {
      const page = await this.readAllPage(cursor, prefixes, pageSize);
      const room = maxCount - events.length;
      events.push(...page.events.slice(0, room));
      if (page.events.length > room) {
        cursor = events.at(-1)!.position; // the rest of this page comes again next time
        break;
      }
      cursor = page.scannedTo ?? cursor;
      if (page.reachedEnd) {
        endReached = true;
        break;
      }
    }
    // Past non-matching events too, so the next call does not look at them again. A read that stopped
    // on maxScanned is not the end, however few events it found.
    return { events, lastPosition: cursor ?? options.after, endReached };
  }

  /** One page of `$all` strictly after `after`, filtered here to the prefixes and without system events. */
  async readAllPage(
    after: GlobalPosition | undefined,
    prefixes: readonly string[],
    pageSize: number,
  ): Promise<AllPage> {
    const events: RecordedEvent[] = [];
    let scannedTo: GlobalPosition | undefined;
    let raw = 0;
    try {
      // `$all` reads from a position include the event at that position: it is skipped below.
      const read = this.client.readAll({
        fromPosition: after ?? START,
        maxCount: pageSize,
        direction: FORWARDS,
      });
      for await (const resolved of read) {
        raw += 1;
        const position = toPosition(resolved.event?.position);
        if (after && comparePositions(position, after) <= 0) continue;
        scannedTo = position;
        if (isSystemEvent(resolved) || !matchesPrefixes(resolved.event!.streamId, prefixes)) continue;
        events.push(toRecordedEvent(resolved));
      }
    } catch (error) {
      mapReadError(error);
    }
    return { events, scannedTo, reachedEnd: raw < pageSize };
  }

  subscribeToAll(options: SubscribeToAllOptions): Subscription {
    const batchSize = clamp(options.batchSize ?? DEFAULT_BATCH_SIZE, 1, MAX_BATCH_SIZE);
    const pageSize = clamp(this.options.readPageSize ?? batchSize * 2, MIN_PAGE_SIZE, MAX_PAGE_SIZE);
    const subscription = new EsdbSubscription(
      this.client,
      (after, prefixes) => this.readAllPage(after, prefixes, pageSize),
      { ...options, prefixes: this.prefixes(options.streamPrefixes), batchSize },
      this.reconnect,
    );
    this.subscriptions.add(subscription);
    const forget = () => this.subscriptions.delete(subscription);
    subscription.done.then(forget, forget);
    return subscription;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.subscriptions].map((subscription) => subscription.stop()));
    await this.client.dispose();
  }

  private prefixes(requested: readonly string[] | undefined): readonly string[] {
    return requested && requested.length > 0 ? requested : this.defaultPrefixes;
  }
}

/** `esdb://host:2113?tls=false`, `esdb+discover://...` for a cluster; credentials may sit in the URL. */
export function createEsdbEventStore(
  connectionString: string,
  options: EsdbEventStoreOptions = {},
): EsdbEventStore {
  return new EsdbEventStore(EventStoreDBClient.connectionString(connectionString), options);
}
