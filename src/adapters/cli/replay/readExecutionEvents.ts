import {
  MAX_READ_STREAM_COUNT,
  StreamNotFound,
  type EventStore,
  type RecordedEvent,
} from '../../../domain/ports/eventStore';

/** An execution stream is short; a stream beyond this is itself an incident, not something to load. */
export const MAX_EXECUTION_STREAM_EVENTS = 100_000;

/** A whole stream, read in pages; `[]` when it does not exist. */
export async function readWholeStream(store: EventStore, streamId: string): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  while (events.length < MAX_EXECUTION_STREAM_EVENTS) {
    let batch: RecordedEvent[];
    try {
      batch = await store.readStream(streamId, {
        fromRevision: BigInt(events.length),
        maxCount: MAX_READ_STREAM_COUNT,
      });
    } catch (error) {
      if (error instanceof StreamNotFound) return events;
      throw error;
    }
    events.push(...batch);
    if (batch.length < MAX_READ_STREAM_COUNT) return events;
  }
  throw new Error(
    `stream ${streamId} has more than ${MAX_EXECUTION_STREAM_EVENTS} events; refusing to load it`,
  );
}
