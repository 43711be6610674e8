import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEsdbEventStore, type EsdbEventStore } from '../../src/adapters/eventstore/esdb/esdbEventStore';
import { comparePositions, WrongExpectedVersion } from '../../src/domain/ports/eventStore';
import { eventStoreContract } from '../contract/eventStoreContract';

/**
 * The event-store contract and the adapter's EventStoreDB specifics against a REAL server
 * (`npm run test:esdb` with EVENTSTORE_URL=esdb://127.0.0.1:2113?tls=false, say a throwaway
 * `eventstore/eventstore` container started with --insecure). Streams are random per test, so a
 * shared server is fine.
 */
const url = process.env.EVENTSTORE_URL;
if (!url) console.warn('EVENTSTORE_URL is not set: skipping the EventStoreDB suite against a real server');

describe.skipIf(!url)('EventStoreDB adapter against a real server', () => {
  eventStoreContract('EventStoreDB (real server)', async () => {
    const store = createEsdbEventStore(url!);
    return { store, teardown: () => store.close() };
  });

  describe('specifics', () => {
    let store: EsdbEventStore;
    beforeAll(() => {
      store = createEsdbEventStore(url!);
    });
    afterAll(async () => {
      await store.close();
    });

    it("reports each append's last event position exactly as $all and the stream read it", async () => {
      const stream = `execution-${randomUUID()}`;
      const single = await store.appendToStream(stream, [{ type: 'A', data: {} }], {
        expectedRevision: 'no_stream',
      });
      const triple = await store.appendToStream(
        stream,
        ['B', 'C', 'D'].map((type) => ({ type, data: {} })),
        { expectedRevision: 0n },
      );
      const read = await store.readStream(stream);
      expect(comparePositions(read[0]!.position, single.position)).toBe(0);
      expect(comparePositions(read[3]!.position, triple.position)).toBe(0);
      expect(read[1]!.position.commit).toBe(read[3]!.position.commit); // one append, one commit
    });

    it('carries the actual revision in WrongExpectedVersion', async () => {
      const stream = `execution-${randomUUID()}`;
      await store.appendToStream(
        stream,
        [
          { type: 'A', data: {} },
          { type: 'B', data: {} },
        ],
        { expectedRevision: 'no_stream' },
      );
      const error = await store
        .appendToStream(stream, [{ type: 'X', data: {} }], { expectedRevision: 0n })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(WrongExpectedVersion);
      expect((error as WrongExpectedVersion).actual).toBe(1n);
    });

    it('never delivers system events through readAll, whatever the prefixes', async () => {
      const page = await store.readAll({ maxCount: 500, streamPrefixes: [''] });
      expect(page.events.filter((e) => e.streamId.startsWith('$') || e.type.startsWith('$'))).toEqual([]);
    });
  });
});
