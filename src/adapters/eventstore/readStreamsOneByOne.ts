import {
  assertStreamReads,
  StreamNotFound,
  type EventStore,
  type RecordedEvent,
  type StreamReadRequest,
} from '../../domain/ports/eventStore';

/**
 * `readStreams` for a store without a multi-stream read (EventStoreDB: one gRPC read per stream, sent
 * concurrently): a missing stream, or nothing from the revision on, is `[]`.
 */
export async function readStreamsOneByOne(
  store: Pick<EventStore, 'readStream'>,
  requests: readonly StreamReadRequest[],
  maxCountPerStream: number,
): Promise<RecordedEvent[][]> {
  assertStreamReads(requests);
  return Promise.all(
    requests.map(async (request) => {
      try {
        return await store.readStream(request.streamId, {
          fromRevision: request.fromRevision,
          maxCount: maxCountPerStream,
        });
      } catch (error) {
        if (error instanceof StreamNotFound) return [];
        throw error;
      }
    }),
  );
}
