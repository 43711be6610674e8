import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  comparePositions,
  StreamNotFound,
  WrongExpectedVersion,
  type EventStore,
  type EventToAppend,
  type RecordedEvent,
} from '../../src/domain/ports/eventStore';

export interface EventStoreHarness {
  readonly store: EventStore;
  teardown(): Promise<void>;
}

/** Ledger-like stream names, unique per call so tests never see each other's streams. */
const streamName = (prefix = 'execution') => `${prefix}-${randomUUID()}`;
const event = (type: string, data: Record<string, unknown> = {}): EventToAppend => ({ type, data });

async function expectWrongExpectedVersion(promise: Promise<unknown>, actual: bigint | 'no_stream') {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(WrongExpectedVersion);
  expect((error as WrongExpectedVersion).actual).toBe(actual);
}

async function collectUntil(
  store: EventStore,
  options: { after?: RecordedEvent['position']; prefixes: string[]; expected: number; timeoutMs?: number },
): Promise<RecordedEvent[]> {
  const received: RecordedEvent[] = [];
  let resolveDone: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (resolveDone = resolve));
  const subscription = store.subscribeToAll({
    ...(options.after ? { after: options.after } : {}),
    streamPrefixes: options.prefixes,
    batchSize: 7,
    onEvents: async (events) => {
      received.push(...events);
      if (received.length >= options.expected) resolveDone();
    },
  });
  const timeout = new Promise<void>((resolve) => setTimeout(resolve, options.timeoutMs ?? 15_000));
  await Promise.race([finished, timeout]);
  await subscription.stop();
  return received;
}

/**
 * The one suite every EventStore adapter must pass. `makeHarness` is called before each test and
 * must give a store that sees no streams of other tests' prefixes.
 */
export function eventStoreContract(adapterName: string, makeHarness: () => Promise<EventStoreHarness>): void {
  describe(`EventStore contract: ${adapterName}`, () => {
    let harness: EventStoreHarness;
    let store: EventStore;

    beforeEach(async () => {
      harness = await makeHarness();
      store = harness.store;
    });
    afterEach(async () => {
      await harness.teardown();
    });

    it('appends to a new stream with no_stream, starting at revision 0', async () => {
      const stream = streamName();
      const result = await store.appendToStream(stream, [event('A'), event('B')], {
        expectedRevision: 'no_stream',
      });
      expect(result.nextExpectedRevision).toBe(1n);
      const events = await store.readStream(stream);
      expect(events.map((e) => [e.type, e.revision])).toEqual([
        ['A', 0n],
        ['B', 1n],
      ]);
      expect(comparePositions(events[1]!.position, result.position)).toBe(0);
    });

    it('refuses no_stream on an existing stream, carrying the actual revision, and writes nothing', async () => {
      const stream = streamName();
      await store.appendToStream(stream, [event('A')], { expectedRevision: 'no_stream' });
      await expectWrongExpectedVersion(
        store.appendToStream(stream, [event('X')], { expectedRevision: 'no_stream' }),
        0n,
      );
      expect((await store.readStream(stream)).map((e) => e.type)).toEqual(['A']);
    });

    it('appends with the exact expected revision and refuses a stale one', async () => {
      const stream = streamName();
      const first = await store.appendToStream(stream, [event('A')], { expectedRevision: 'no_stream' });
      const second = await store.appendToStream(stream, [event('B')], {
        expectedRevision: first.nextExpectedRevision,
      });
      expect(second.nextExpectedRevision).toBe(1n);
      await expectWrongExpectedVersion(
        store.appendToStream(stream, [event('C')], { expectedRevision: 0n }),
        1n,
      );
      await expectWrongExpectedVersion(
        store.appendToStream(stream, [event('C')], { expectedRevision: 5n }),
        1n,
      );
      expect((await store.readStream(stream)).map((e) => e.type)).toEqual(['A', 'B']);
    });

    it('refuses an exact revision on a stream that does not exist', async () => {
      const stream = streamName();
      await expectWrongExpectedVersion(
        store.appendToStream(stream, [event('A')], { expectedRevision: 0n }),
        'no_stream',
      );
      await expect(store.readStream(stream)).rejects.toBeInstanceOf(StreamNotFound);
    });

    it('appends with any to new and existing streams', async () => {
      const stream = streamName();
      expect(
        (await store.appendToStream(stream, [event('A')], { expectedRevision: 'any' })).nextExpectedRevision,
      ).toBe(0n);
      expect(
        (await store.appendToStream(stream, [event('B')], { expectedRevision: 'any' })).nextExpectedRevision,
      ).toBe(1n);
    });

    it('treats a retried append of the very same event ids as done, without duplicating', async () => {
      const stream = streamName();
      const events = [
        { id: randomUUID(), type: 'A', data: { n: 1 } },
        { id: randomUUID(), type: 'B', data: { n: 2 } },
      ];
      const first = await store.appendToStream(stream, events, { expectedRevision: 'no_stream' });
      const retried = await store.appendToStream(stream, events, { expectedRevision: 'no_stream' });
      expect(retried.nextExpectedRevision).toBe(first.nextExpectedRevision);
      expect(await store.readStream(stream)).toHaveLength(2);
    });

    it('lets exactly one of 20 concurrent no_stream appends to one new stream succeed', async () => {
      const stream = streamName();
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, writer) =>
          store.appendToStream(stream, [event('Claimed', { writer })], { expectedRevision: 'no_stream' }),
        ),
      );
      const fulfilled = results.filter((result) => result.status === 'fulfilled');
      const rejected = results.filter(
        (result): result is PromiseRejectedResult => result.status === 'rejected',
      );
      expect(fulfilled).toHaveLength(1);
      expect(rejected).toHaveLength(19);
      for (const result of rejected) expect(result.reason).toBeInstanceOf(WrongExpectedVersion);
      expect(await store.readStream(stream)).toHaveLength(1);
    });

    it('reads a stream forwards and backwards, from a revision, bounded by maxCount', async () => {
      const stream = streamName();
      const types = ['E0', 'E1', 'E2', 'E3', 'E4'];
      await store.appendToStream(
        stream,
        types.map((type) => event(type)),
        { expectedRevision: 'no_stream' },
      );
      expect((await store.readStream(stream)).map((e) => e.type)).toEqual(types);
      expect((await store.readStream(stream, { direction: 'backwards' })).map((e) => e.type)).toEqual(
        [...types].reverse(),
      );
      expect((await store.readStream(stream, { fromRevision: 2n, maxCount: 2 })).map((e) => e.type)).toEqual([
        'E2',
        'E3',
      ]);
      expect(
        (await store.readStream(stream, { direction: 'backwards', fromRevision: 3n, maxCount: 2 })).map(
          (e) => e.type,
        ),
      ).toEqual(['E3', 'E2']);
      expect(await store.readStream(stream, { fromRevision: 10n })).toEqual([]);
      // A maxCount below 1 reads one event, as EventStoreDB does (not "no events", nor an error).
      expect((await store.readStream(stream, { maxCount: 0 })).map((e) => e.type)).toEqual(['E0']);
      expect((await store.readStream(stream, { maxCount: -3 })).map((e) => e.type)).toEqual(['E0']);
    });

    it('reads several streams at once, each from its own revision, bounded per stream', async () => {
      const long = streamName();
      const short = streamName('user-policy');
      const missing = streamName();
      await store.appendToStream(
        long,
        ['L0', 'L1', 'L2', 'L3', 'L4'].map((type) => event(type)),
        { expectedRevision: 'no_stream' },
      );
      await store.appendToStream(short, [event('S0'), event('S1')], { expectedRevision: 'no_stream' });
      const types = (streams: RecordedEvent[][]) => streams.map((events) => events.map((e) => e.type));

      const read = await store.readStreams(
        [
          { streamId: missing, fromRevision: 0n },
          { streamId: long, fromRevision: 1n },
          { streamId: short, fromRevision: 0n },
          { streamId: short, fromRevision: 2n },
        ],
        3,
      );
      expect(types(read)).toEqual([[], ['L1', 'L2', 'L3'], ['S0', 'S1'], []]);
      expect(read[1]!.map((e) => e.revision)).toEqual([1n, 2n, 3n]);
      expect(read[1]!.every((e) => e.streamId === long)).toBe(true);
      expect(await store.readStreams([], 10)).toEqual([]);
      await expect(store.readStreams([{ streamId: long, fromRevision: -1n }], 10)).rejects.toThrow(
        /revision/,
      );
    });

    it('round-trips event data and metadata exactly', async () => {
      const stream = streamName();
      const data = { amount: '0.00012345', nested: { list: [1, 'two', null], flag: true }, unicode: 'ë€' };
      await store.appendToStream(stream, [{ type: 'Data', data, metadata: { actor: 'ops-1' } }], {
        expectedRevision: 'no_stream',
      });
      const [stored] = await store.readStream(stream);
      expect(stored?.data).toEqual(data);
      expect(stored?.metadata).toMatchObject({ actor: 'ops-1' });
      expect(stored?.streamId).toBe(stream);
      expect(stored?.createdAt).toBeInstanceOf(Date);
    });

    it('reads all events in global order, in batches, filtered by stream prefix', async () => {
      const prefix = `execution-${randomUUID().slice(0, 8)}`;
      const streams = [`${prefix}-a`, `${prefix}-b`, `${prefix}-c`];
      for (const [index, stream] of streams.entries()) {
        await store.appendToStream(stream, [event(`S${index}-0`), event(`S${index}-1`)], {
          expectedRevision: 'no_stream',
        });
      }
      await store.appendToStream(streamName('user-policy'), [event('Other')], {
        expectedRevision: 'no_stream',
      });
      // A store may hold committed events back for a moment (PostgreSQL does while an older
      // transaction anywhere in the cluster is still running), so read until all six are there.
      const seen: RecordedEvent[] = [];
      let after: RecordedEvent['position'] | undefined;
      for (let page = 0; page < 200 && seen.length < 6; page++) {
        const result = await store.readAll({
          ...(after ? { after } : {}),
          maxCount: 4,
          streamPrefixes: [prefix],
        });
        if (result.events.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
        seen.push(...result.events);
        after = result.lastPosition;
      }
      const extra = await store.readAll({
        ...(after ? { after } : {}),
        maxCount: 4,
        streamPrefixes: [prefix],
      });
      expect(extra.events).toEqual([]);
      expect(extra.endReached).toBe(true);
      expect(seen.map((e) => e.type)).toEqual(['S0-0', 'S0-1', 'S1-0', 'S1-1', 'S2-0', 'S2-1']);
      for (let index = 1; index < seen.length; index++) {
        expect(comparePositions(seen[index - 1]!.position, seen[index]!.position)).toBe(-1);
      }
    });

    it('delivers every committed event to a subscriber exactly once and in global order, under concurrent writers', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 6 }), {
            minLength: 2,
            maxLength: 8,
          }),
          async (writers) => {
            const prefix = `execution-${randomUUID().slice(0, 8)}`;
            const expected = writers.flat().reduce((sum, count) => sum + count, 0);
            const collecting = collectUntil(store, { prefixes: [prefix], expected });
            await Promise.all(
              writers.map(async (appends, writer) => {
                const stream = `${prefix}-w${writer}`;
                let revision: bigint | 'no_stream' = 'no_stream';
                for (const [index, count] of appends.entries()) {
                  const batch = Array.from({ length: count }, (_, n) => event('Tick', { writer, index, n }));
                  revision = (await store.appendToStream(stream, batch, { expectedRevision: revision }))
                    .nextExpectedRevision;
                }
              }),
            );
            const received = await collecting;
            expect(received).toHaveLength(expected);
            expect(new Set(received.map((e) => e.id)).size).toBe(expected);
            for (let index = 1; index < received.length; index++) {
              expect(comparePositions(received[index - 1]!.position, received[index]!.position)).toBe(-1);
            }
            // Each stream's events arrive in revision order.
            const byStream = new Map<string, bigint>();
            for (const e of received) {
              const previous = byStream.get(e.streamId) ?? -1n;
              expect(e.revision).toBe(previous + 1n);
              byStream.set(e.streamId, e.revision);
            }
          },
        ),
        { numRuns: 8 },
      );
    });

    it('resumes a subscription from its checkpoint without loss or repeat', async () => {
      const prefix = `execution-${randomUUID().slice(0, 8)}`;
      const stream = `${prefix}-resume`;
      await store.appendToStream(stream, [event('E0'), event('E1'), event('E2')], {
        expectedRevision: 'no_stream',
      });
      const firstPart = await collectUntil(store, { prefixes: [prefix], expected: 3 });
      expect(firstPart.map((e) => e.type)).toEqual(['E0', 'E1', 'E2']);
      await store.appendToStream(stream, [event('E3'), event('E4')], { expectedRevision: 2n });
      const checkpoint = firstPart.at(-1)!.position;
      const secondPart = await collectUntil(store, { after: checkpoint, prefixes: [prefix], expected: 2 });
      expect(secondPart.map((e) => e.type)).toEqual(['E3', 'E4']);
    });

    it('follows live appends after catching up', async () => {
      const prefix = `execution-${randomUUID().slice(0, 8)}`;
      const received: string[] = [];
      let caughtUp = false;
      const subscription = store.subscribeToAll({
        streamPrefixes: [prefix],
        onEvents: async (events) => {
          received.push(...events.map((e) => e.type));
        },
        onCaughtUp: () => {
          caughtUp = true;
        },
      });
      for (let wait = 0; wait < 100 && !caughtUp; wait++)
        await new Promise((resolve) => setTimeout(resolve, 50));
      expect(caughtUp).toBe(true);
      await store.appendToStream(`${prefix}-live`, [event('Live')], { expectedRevision: 'no_stream' });
      for (let wait = 0; wait < 100 && received.length === 0; wait++)
        await new Promise((resolve) => setTimeout(resolve, 50));
      await subscription.stop();
      expect(received).toEqual(['Live']);
    });

    it('rejects the subscription when its handler throws', async () => {
      const prefix = `execution-${randomUUID().slice(0, 8)}`;
      await store.appendToStream(`${prefix}-x`, [event('Boom')], { expectedRevision: 'no_stream' });
      const subscription = store.subscribeToAll({
        streamPrefixes: [prefix],
        onEvents: async () => {
          throw new Error('handler failed');
        },
      });
      await expect(subscription.done).rejects.toThrow('handler failed');
    });
  });
}
