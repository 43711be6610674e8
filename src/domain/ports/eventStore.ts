/**
 * The event-store port. It fits both PostgreSQL and EventStoreDB:
 * - stream revisions start at 0 for the first event (as in EventStoreDB);
 * - a global position is the pair (commit, prepare). In EventStoreDB these are its own $all positions;
 *   in PostgreSQL `commit` is the appending transaction's id (xid8) and `prepare` the event's sequence
 *   number. The global order is by (commit, prepare): a reader that only reads transactions older than
 *   every transaction still running can never skip one that commits late.
 * - `prepare` alone is unique per event and is what humans see as "the position".
 */
export type ExpectedRevision = 'no_stream' | 'any' | bigint;

export interface GlobalPosition {
  readonly commit: bigint;
  readonly prepare: bigint;
}

export interface EventToAppend {
  /** A UUID. Deterministic ids make a retried append idempotent; omitted, the store makes one. */
  readonly id?: string;
  readonly type: string;
  readonly data: Record<string, unknown>;
  readonly metadata?: Record<string, unknown>;
}

export interface RecordedEvent {
  readonly id: string;
  readonly streamId: string;
  readonly revision: bigint;
  readonly position: GlobalPosition;
  readonly type: string;
  readonly data: Record<string, unknown>;
  readonly metadata: Record<string, unknown>;
  readonly createdAt: Date;
}

export interface AppendResult {
  /** The revision of the last event written: pass it as the expected revision of the next append. */
  readonly nextExpectedRevision: bigint;
  /** The global position of the last event written. */
  readonly position: GlobalPosition;
}

export interface ReadStreamOptions {
  readonly direction?: 'forwards' | 'backwards';
  /** Inclusive. Defaults to the start (forwards) or the end (backwards). */
  readonly fromRevision?: bigint;
  /** Defaults to MAX_READ_STREAM_COUNT; a stream longer than that must be read in pages. */
  readonly maxCount?: number;
}

export interface ReadAllOptions {
  /** Exclusive: events strictly after this position. Omitted: from the very beginning. */
  readonly after?: GlobalPosition;
  readonly maxCount: number;
  /** Only streams whose id starts with one of these. Omitted: the store's default (PostgreSQL: every stream; EventStoreDB: the ledger's prefixes, never $-streams). */
  readonly streamPrefixes?: readonly string[];
}

export interface ReadAllResult {
  readonly events: RecordedEvent[];
  /** Where the next read should continue (exclusive); equal to `after` when nothing was read. */
  readonly lastPosition: GlobalPosition | undefined;
  /**
   * True when the read reached the end of what was visible: nothing after `lastPosition` matched.
   * False means "read on from `lastPosition`", whatever the number of events: a store may end a read
   * early on a bound of its own (EventStoreDB scans at most so many events per read), so a short or
   * even empty page is not the end. Readers that must see everything stop on this, never on a count.
   */
  readonly endReached: boolean;
}

export interface SubscribeToAllOptions {
  /** Exclusive: deliver events strictly after this position. Omitted: from the very beginning. */
  readonly after?: GlobalPosition;
  readonly streamPrefixes?: readonly string[];
  /** Upper bound on one delivered batch. */
  readonly batchSize?: number;
  /**
   * Called with each batch in global order; the next batch waits until the promise settles. A throw
   * stops the subscription and rejects `done`. The caller owns the checkpoint.
   */
  readonly onEvents: (events: RecordedEvent[]) => Promise<void>;
  /** Called once the subscription has read everything committed so far (then it follows live). */
  readonly onCaughtUp?: () => void;
}

export interface Subscription {
  stop(): Promise<void>;
  /** Settles when the subscription stops: resolves after stop(), rejects on a handler or store error. */
  readonly done: Promise<void>;
}

/** One stream of a `readStreams` call: its events from `fromRevision` (inclusive) on. */
export interface StreamReadRequest {
  readonly streamId: string;
  readonly fromRevision: bigint;
}

export interface EventStore {
  appendToStream(
    streamId: string,
    events: readonly EventToAppend[],
    options: { expectedRevision: ExpectedRevision },
  ): Promise<AppendResult>;
  /** Throws StreamNotFound when the stream has no events. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /**
   * Several streams forwards at once (one round trip where the store can): for each request, in
   * order, the stream's events from its `fromRevision`, at most `maxCountPerStream` of them; `[]` for
   * a stream without events there (no StreamNotFound). At most MAX_READ_STREAMS requests.
   */
  readStreams(requests: readonly StreamReadRequest[], maxCountPerStream: number): Promise<RecordedEvent[][]>;
  readAll(options: ReadAllOptions): Promise<ReadAllResult>;
  subscribeToAll(options: SubscribeToAllOptions): Subscription;
  close(): Promise<void>;
}

export const MAX_APPEND_EVENTS = 100;
export const MAX_READ_STREAM_COUNT = 10_000;
export const MAX_READ_ALL_COUNT = 10_000;
export const MAX_READ_STREAMS = 100;

export const START_POSITION: GlobalPosition = { commit: -1n, prepare: -1n };

export function comparePositions(a: GlobalPosition, b: GlobalPosition): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}

export class WrongExpectedVersion extends Error {
  override readonly name = 'WrongExpectedVersion';
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    /** The stream's actual last revision, or 'no_stream' when it has no events. */
    readonly actual: bigint | 'no_stream',
  ) {
    super(`stream ${streamId}: expected revision ${String(expected)}, actual ${String(actual)}`);
  }
}

export class StreamNotFound extends Error {
  override readonly name = 'StreamNotFound';
  constructor(readonly streamId: string) {
    super(`stream ${streamId} not found`);
  }
}

/** The store could not be reached or failed; the caller should answer 503 and send nothing. */
export class EventStoreUnavailable extends Error {
  override readonly name = 'EventStoreUnavailable';
}

export function assertAppendable(streamId: string, events: readonly EventToAppend[]): void {
  if (streamId.length === 0 || streamId.length > 200)
    throw new Error(`invalid stream id length ${streamId.length}`);
  if (events.length === 0) throw new Error('append needs at least one event');
  if (events.length > MAX_APPEND_EVENTS)
    throw new Error(`append of ${events.length} events exceeds ${MAX_APPEND_EVENTS}`);
  for (const event of events) {
    if (event.type.length === 0 || event.type.length > 100) throw new Error('invalid event type');
  }
}

/** Preconditions of `readStreams`, the same for every store. */
export function assertStreamReads(requests: readonly StreamReadRequest[]): void {
  if (requests.length > MAX_READ_STREAMS)
    throw new Error(`readStreams of ${requests.length} streams exceeds ${MAX_READ_STREAMS}`);
  for (const request of requests) {
    if (request.streamId.length === 0 || request.streamId.length > 200)
      throw new Error(`invalid stream id length ${request.streamId.length}`);
    if (request.fromRevision < 0n) throw new Error('readStreams needs a revision of 0 or more');
  }
}
