import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PostgresEventStore } from '../../../../src/adapters/eventstore/postgres/postgresEventStore';
import {
  comparePositions,
  type GlobalPosition,
  type ReadAllOptions,
} from '../../../../src/domain/ports/eventStore';
import { createTestDatabase, type TestDatabase } from '../../../support/testDatabase';

let database: TestDatabase;
let store: PostgresEventStore;
beforeAll(async () => {
  database = await createTestDatabase();
  store = new PostgresEventStore(database.pool, { pollIntervalMs: 30 });
});
afterAll(async () => {
  await store.close();
  await database.drop();
});

const OTHER_EVENTS = 120;
// Up to 15 s: other test files hold transactions open on purpose (the horizon is cluster-wide).
const MAX_WAIT_ROUNDS = 600;

async function appendOthers(prefix: string): Promise<GlobalPosition> {
  let last: GlobalPosition | undefined;
  for (let n = 0; n < OTHER_EVENTS; n++) {
    const result = await store.appendToStream(`${prefix}-${n}`, [{ type: 'Other', data: { n } }], {
      expectedRevision: 'no_stream',
    });
    last = result.position;
  }
  return last!;
}

/** The read horizon is cluster-wide: a transaction of another test file can hold it back briefly. */
async function readUntilPast(options: ReadAllOptions, target: GlobalPosition) {
  for (let round = 0; round < MAX_WAIT_ROUNDS; round++) {
    const page = await store.readAll(options);
    if (page.lastPosition && comparePositions(page.lastPosition, target) >= 0) return page;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('the filtered read never looked past the other streams');
}

describe('PostgreSQL readAll with stream prefixes', () => {
  it('continues after the last visible event of any stream when the page is not full', async () => {
    const rare = `user-policy-${randomUUID().slice(0, 8)}`;
    const other = `execution-${randomUUID().slice(0, 8)}`;
    const first = await store.appendToStream(rare, [{ type: 'Rare', data: {} }], {
      expectedRevision: 'no_stream',
    });
    const lastOther = await appendOthers(other);

    const page = await readUntilPast({ maxCount: 50, streamPrefixes: [rare] }, lastOther);
    expect(page.events.map((event) => event.position)).toEqual([first.position]);

    // Nothing new for the rare stream: the next read finds nothing and does not move back.
    const empty = await store.readAll({ after: page.lastPosition!, maxCount: 50, streamPrefixes: [rare] });
    expect(empty.events).toEqual([]);
    expect(comparePositions(empty.lastPosition!, page.lastPosition!)).toBeGreaterThanOrEqual(0);

    const second = await store.appendToStream(rare, [{ type: 'Rare', data: {} }], { expectedRevision: 0n });
    const next = await readUntilPast(
      { after: page.lastPosition!, maxCount: 50, streamPrefixes: [rare] },
      second.position,
    );
    expect(next.events.map((event) => event.position)).toEqual([second.position]);
  });

  it('a full filtered page ends at its last event (the rest is read next)', async () => {
    const busy = `execution-${randomUUID().slice(0, 8)}`;
    const lastOther = await appendOthers(busy);
    await readUntilPast({ maxCount: 10_000, streamPrefixes: [busy] }, lastOther);
    const page = await store.readAll({ maxCount: 7, streamPrefixes: [busy] });
    expect(page.events).toHaveLength(7);
    expect(page.lastPosition).toEqual(page.events[6]!.position);
  });

  it('a subscription to rare streams moves its read position past the events of other streams', async () => {
    const rare = `user-policy-${randomUUID().slice(0, 8)}`;
    const other = `execution-${randomUUID().slice(0, 8)}`;
    const readAfter: (GlobalPosition | undefined)[] = [];
    const spy = vi.spyOn(store, 'readAll').mockImplementation(async function (
      this: PostgresEventStore,
      options: ReadAllOptions,
    ) {
      readAfter.push(options.after);
      return PostgresEventStore.prototype.readAll.call(this, options);
    });
    const delivered: string[] = [];
    const subscription = store.subscribeToAll({
      streamPrefixes: [rare],
      onEvents: async (events) => {
        delivered.push(...events.map((event) => event.type));
      },
    });
    try {
      await store.appendToStream(rare, [{ type: 'Rare', data: {} }], { expectedRevision: 'no_stream' });
      const lastOther = await appendOthers(other);
      for (let round = 0; round < MAX_WAIT_ROUNDS; round++) {
        const latest = readAfter.at(-1);
        if (latest && comparePositions(latest, lastOther) >= 0) break;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      // Without this, every wake-up would scan all events since the last rare one again.
      expect(comparePositions(readAfter.at(-1)!, lastOther)).toBeGreaterThanOrEqual(0);
      expect(delivered).toEqual(['Rare']);
    } finally {
      await subscription.stop();
      spy.mockRestore();
    }
  });
});
