import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createEsdbEventStore,
  type EsdbEventStore,
} from '../../../../src/adapters/eventstore/esdb/esdbEventStore';
import {
  comparePositions,
  EventStoreUnavailable,
  StreamNotFound,
  WrongExpectedVersion,
  type EventToAppend,
} from '../../../../src/domain/ports/eventStore';
import { startEsdbDouble, type EsdbDouble } from '../../../support/esdb/esdbDouble';

const event = (type: string, data: Record<string, unknown> = {}): EventToAppend => ({ type, data });
const stream = () => `execution-${randomUUID()}`;

async function caught(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

for (const batchAppend of [true, false]) {
  describe(`EsdbEventStore mapping (${batchAppend ? 'BatchAppend' : 'Append'})`, () => {
    let double: EsdbDouble;
    let store: EsdbEventStore;

    beforeEach(async () => {
      double = await startEsdbDouble({ batchAppend });
      store = createEsdbEventStore(double.connectionString, { appendRetryDelayMs: 10 });
    });
    afterEach(async () => {
      await store.close();
      await double.close();
    });

    it('takes the client append path the server offers', async () => {
      await store.appendToStream(stream(), [event('A')], { expectedRevision: 'no_stream' });
      expect(batchAppend ? double.calls.batchAppend : double.calls.append).toBe(1);
      expect(batchAppend ? double.calls.append : double.calls.batchAppend).toBe(0);
    });

    it('maps no_stream, any and exact revisions, and refuses a negative one before sending', async () => {
      const id = stream();
      expect(
        (await store.appendToStream(id, [event('A')], { expectedRevision: 'no_stream' }))
          .nextExpectedRevision,
      ).toBe(0n);
      expect(
        (await store.appendToStream(id, [event('B')], { expectedRevision: 0n })).nextExpectedRevision,
      ).toBe(1n);
      expect(
        (await store.appendToStream(id, [event('C'), event('D')], { expectedRevision: 'any' }))
          .nextExpectedRevision,
      ).toBe(3n);
      expect(
        (await store.appendToStream(id, [event('E')], { expectedRevision: 3n })).nextExpectedRevision,
      ).toBe(4n);
      const before = double.log.events.length;
      await expect(store.appendToStream(id, [event('F')], { expectedRevision: -1n })).rejects.toThrow(
        'expected revision must be >= 0',
      );
      expect(double.log.events.length).toBe(before);
      expect((await store.readStream(id)).map((e) => [e.type, e.revision])).toEqual([
        ['A', 0n],
        ['B', 1n],
        ['C', 2n],
        ['D', 3n],
        ['E', 4n],
      ]);
    });

    it("turns the client's WrongExpectedVersionError into the port's, with what was expected and the actual revision", async () => {
      const id = stream();
      await store.appendToStream(id, [event('A'), event('B')], { expectedRevision: 'no_stream' });
      const stale = await caught(store.appendToStream(id, [event('X')], { expectedRevision: 0n }));
      expect(stale).toBeInstanceOf(WrongExpectedVersion);
      expect(stale).toMatchObject({ streamId: id, expected: 0n, actual: 1n });
      const exists = await caught(store.appendToStream(id, [event('X')], { expectedRevision: 'no_stream' }));
      expect(exists).toMatchObject({ expected: 'no_stream', actual: 1n });
      const missing = await caught(store.appendToStream(stream(), [event('X')], { expectedRevision: 4n }));
      expect(missing).toBeInstanceOf(WrongExpectedVersion);
      expect(missing).toMatchObject({ expected: 4n, actual: 'no_stream' });
    });

    it("returns the last event's exact global position, also where the server reports the commit's", async () => {
      const id = stream();
      const single = await store.appendToStream(id, [event('A')], { expectedRevision: 'no_stream' });
      const triple = await store.appendToStream(id, [event('B'), event('C'), event('D')], {
        expectedRevision: 0n,
      });
      const stored = double.log.stream(id)!;
      expect(single.position).toEqual({ commit: stored[0]!.commit, prepare: stored[0]!.prepare });
      // One append shares one commit position; prepare positions differ; the result is the last one's.
      expect(stored[1]!.commit).toBe(stored[3]!.commit);
      expect(stored[1]!.prepare).toBeLessThan(stored[3]!.prepare);
      expect(triple.position).toEqual({ commit: stored[3]!.commit, prepare: stored[3]!.prepare });
      const read = await store.readStream(id);
      expect(comparePositions(read[3]!.position, triple.position)).toBe(0);
    });

    it('round-trips positions exactly as bigint: readAll continues strictly after a rebuilt position', async () => {
      const id = stream();
      await store.appendToStream(id, [event('A'), event('B'), event('C')], { expectedRevision: 'no_stream' });
      const [first] = (await store.readAll({ maxCount: 1 })).events;
      // What a projection checkpoint stores and reads back: two decimal strings.
      const rebuilt = {
        commit: BigInt(first!.position.commit.toString()),
        prepare: BigInt(first!.position.prepare.toString()),
      };
      const rest = await store.readAll({ after: rebuilt, maxCount: 10 });
      expect(rest.events.map((e) => e.type)).toEqual(['B', 'C']);
      expect(rest.lastPosition).toEqual(rest.events[1]!.position);
    });

    it('re-sends a lost append with the same event ids, so it is written once (ids given or generated)', async () => {
      const given = stream();
      const ids = [randomUUID(), randomUUID()];
      double.failNextAppends('unavailable_after_write');
      const result = await store.appendToStream(
        given,
        ids.map((id, n) => ({ id, type: 'Given', data: { n } })),
        { expectedRevision: 'no_stream' },
      );
      expect(result.nextExpectedRevision).toBe(1n);
      expect(double.log.stream(given)!.map((e) => e.id)).toEqual(ids);

      const generated = stream();
      double.failNextAppends('unavailable_after_write', 'unavailable_before_write');
      await store.appendToStream(generated, [event('Generated')], { expectedRevision: 'any' });
      expect(double.log.stream(generated)).toHaveLength(1);
    });

    it('answers EventStoreUnavailable when every attempt fails, never a duplicate', async () => {
      const id = stream();
      double.failNextAppends('unavailable_after_write', 'unavailable_after_write', 'unavailable_after_write');
      const error = await caught(store.appendToStream(id, [event('A')], { expectedRevision: 'no_stream' }));
      expect(error).toBeInstanceOf(EventStoreUnavailable);
      expect(double.log.stream(id)).toHaveLength(1);
    });

    it('maps a missing stream to StreamNotFound and reads backwards from a revision', async () => {
      await expect(store.readStream(stream())).rejects.toBeInstanceOf(StreamNotFound);
      await expect(store.readStream(stream(), { direction: 'backwards' })).rejects.toBeInstanceOf(
        StreamNotFound,
      );
      const id = stream();
      await store.appendToStream(
        id,
        ['E0', 'E1', 'E2'].map((type) => event(type)),
        { expectedRevision: 'no_stream' },
      );
      expect(
        (await store.readStream(id, { direction: 'backwards', fromRevision: 1n })).map((e) => e.type),
      ).toEqual(['E1', 'E0']);
      expect(
        (await store.readStream(id, { direction: 'backwards', maxCount: 1 })).map((e) => e.type),
      ).toEqual(['E2']);
    });
  });
}

describe('EsdbEventStore when the server is down', () => {
  it('answers EventStoreUnavailable for appends and reads, without the connection string in the message', async () => {
    const double = await startEsdbDouble();
    const url = double.connectionString.replace('esdb://', 'esdb://admin:s3cret-pw@');
    const store = createEsdbEventStore(url, { appendRetryDelayMs: 10 });
    await store.appendToStream(stream(), [event('A')], { expectedRevision: 'no_stream' });
    await double.close();
    const errors = [
      await caught(store.appendToStream(stream(), [event('B')], { expectedRevision: 'no_stream' })),
      await caught(store.readStream(stream())),
      await caught(store.readAll({ maxCount: 10 })),
    ];
    for (const error of errors) {
      expect(error).toBeInstanceOf(EventStoreUnavailable);
      expect((error as Error).message).not.toContain('s3cret-pw');
    }
    await store.close();
  });

  it('answers EventStoreUnavailable when nothing ever listened on the address', async () => {
    const double = await startEsdbDouble();
    await double.close();
    const store = createEsdbEventStore(double.connectionString, { appendRetryDelayMs: 10 });
    await expect(
      store.appendToStream(stream(), [event('A')], { expectedRevision: 'any' }),
    ).rejects.toBeInstanceOf(EventStoreUnavailable);
    await store.close();
  });
});
