import {
  MAX_READ_STREAM_COUNT,
  StreamNotFound,
  type EventStore,
  type RecordedEvent,
} from '../../domain/ports/eventStore';
import { orUnavailable } from '../errors';

/** More than any execution or policy stream holds; a longer one is a bug or abuse, not a workload. */
const MAX_PAGES = 100;

/**
 * Every event of a stream from `fromRevision` on, oldest first, in pages; `[]` when the stream does
 * not exist. A store outage becomes ServiceUnavailable.
 */
export async function readStreamEvents(
  store: EventStore,
  streamId: string,
  fromRevision = 0n,
  pageSize = MAX_READ_STREAM_COUNT,
): Promise<RecordedEvent[]> {
  const all: RecordedEvent[] = [];
  let from = fromRevision;
  for (let page = 0; page < MAX_PAGES; page++) {
    let events: RecordedEvent[];
    try {
      // From the start, no `fromRevision`: a missing stream then costs one query, not two.
      const options = from === 0n ? { maxCount: pageSize } : { fromRevision: from, maxCount: pageSize };
      events = await orUnavailable(() => store.readStream(streamId, options));
    } catch (error) {
      if (error instanceof StreamNotFound) return all;
      throw error;
    }
    all.push(...events);
    const last = events.at(-1);
    if (last === undefined || events.length < pageSize) return all;
    from = last.revision + 1n;
  }
  throw new Error(`stream ${streamId} is longer than ${MAX_PAGES} pages of ${pageSize} events`);
}

/** The revision of the stream's last event, or -1n when it has none (one cheap read). */
export async function lastRevisionOf(store: EventStore, streamId: string): Promise<bigint> {
  try {
    const events = await orUnavailable(() =>
      store.readStream(streamId, { direction: 'backwards', maxCount: 1 }),
    );
    return events[0]?.revision ?? -1n;
  } catch (error) {
    if (error instanceof StreamNotFound) return -1n;
    throw error;
  }
}
