import {
  MAX_READ_ALL_COUNT,
  MAX_READ_STREAM_COUNT,
  StreamNotFound,
  type EventStore,
  type ReadAllOptions,
  type ReadAllResult,
  type ReadStreamOptions,
  type StreamReadRequest,
  type RecordedEvent,
} from '../../../../src/domain/ports/eventStore';
import { comparePositions } from '../../../../src/domain/ports/eventStore';
import { readStreamsOneByOne } from '../../../../src/adapters/eventstore/readStreamsOneByOne';

export interface RawEvent {
  readonly streamId: string;
  readonly type: string;
  readonly data: Record<string, unknown>;
  readonly createdAt?: Date;
}

/**
 * The read side of the EventStore port over an array, for the CLI's pure tests: events are stored in
 * the given global order (positions 1, 2, ...), data as given (so that an invalid event can be stored).
 */
export class MemoryEventStore implements EventStore {
  readonly events: RecordedEvent[] = [];
  readAllCalls = 0;
  largestReadAll = 0;

  constructor(raw: readonly RawEvent[] = []) {
    for (const event of raw) this.add(event);
  }

  add(raw: RawEvent): RecordedEvent {
    const position = BigInt(this.events.length + 1);
    const revision = BigInt(this.events.filter((event) => event.streamId === raw.streamId).length);
    const recorded: RecordedEvent = {
      id: `00000000-0000-4000-8000-${position.toString().padStart(12, '0')}`,
      streamId: raw.streamId,
      revision,
      position: { commit: position, prepare: position },
      type: raw.type,
      data: raw.data,
      metadata: {},
      createdAt: raw.createdAt ?? new Date(Date.UTC(2025, 0, 1, 12, 0, 0) + Number(position) * 1000),
    };
    this.events.push(recorded);
    return recorded;
  }

  async appendToStream(): Promise<never> {
    throw new Error('MemoryEventStore is read-only through the port; use add()');
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const stream = this.events.filter((event) => event.streamId === streamId);
    if (stream.length === 0) throw new StreamNotFound(streamId);
    const from = options.fromRevision ?? 0n;
    const maxCount = Math.min(options.maxCount ?? MAX_READ_STREAM_COUNT, MAX_READ_STREAM_COUNT);
    return stream.filter((event) => event.revision >= from).slice(0, maxCount);
  }

  readStreams(requests: readonly StreamReadRequest[], maxCountPerStream: number): Promise<RecordedEvent[][]> {
    return readStreamsOneByOne(this, requests, maxCountPerStream);
  }

  async readAll(options: ReadAllOptions): Promise<ReadAllResult> {
    this.readAllCalls += 1;
    const maxCount = Math.max(1, Math.min(options.maxCount, MAX_READ_ALL_COUNT));
    const after = options.after;
    const prefixes = options.streamPrefixes;
    const matching = this.events
      .filter((event) => after === undefined || comparePositions(event.position, after) > 0)
      .filter(
        (event) => prefixes === undefined || prefixes.some((prefix) => event.streamId.startsWith(prefix)),
      );
    const events = matching.slice(0, maxCount);
    this.largestReadAll = Math.max(this.largestReadAll, events.length);
    return {
      events,
      lastPosition: events.at(-1)?.position ?? after,
      endReached: matching.length <= maxCount,
    };
  }

  subscribeToAll(): never {
    throw new Error('not supported by MemoryEventStore');
  }

  async close(): Promise<void> {}
}
