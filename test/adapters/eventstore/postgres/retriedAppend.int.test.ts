import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresEventStore } from '../../../../src/adapters/eventstore/postgres/postgresEventStore';
import { createTestDatabase, type TestDatabase } from '../../../support/testDatabase';

let database: TestDatabase;
let store: PostgresEventStore;
beforeAll(async () => {
  database = await createTestDatabase();
  store = new PostgresEventStore(database.pool, { pollIntervalMs: 50 });
});
afterAll(async () => {
  await store.close();
  await database.drop();
});

describe('PostgreSQL event store: a retried append', () => {
  // The port takes any UUID; PostgreSQL stores a uuid in lower case. A retry with the very same
  // upper-case ids was compared against the stored lower-case ones and refused as a lost race.
  it('is recognised as done when its event ids are upper-case UUIDs', async () => {
    const streamId = `retried-${randomUUID()}`;
    const events = [
      { id: randomUUID().toUpperCase(), type: 'First', data: {} },
      { id: randomUUID().toUpperCase(), type: 'Second', data: {} },
    ];
    const first = await store.appendToStream(streamId, events, { expectedRevision: 'no_stream' });
    const again = await store.appendToStream(streamId, events, { expectedRevision: 'no_stream' });
    const anyAgain = await store.appendToStream(streamId, events, { expectedRevision: 'any' });
    expect(again).toEqual(first);
    expect(anyAgain).toEqual(first);
    const stored = await store.readStream(streamId);
    expect(stored.map((event) => event.id)).toEqual(events.map((event) => event.id.toLowerCase()));
  });
});
