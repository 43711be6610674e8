import { afterAll, beforeAll } from 'vitest';
import { PostgresEventStore } from '../../src/adapters/eventstore/postgres/postgresEventStore';
import { createTestDatabase, type TestDatabase } from '../support/testDatabase';
import { eventStoreContract } from './eventStoreContract';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

// One database for the file; every test uses streams of its own random prefix.
eventStoreContract('PostgreSQL', async () => {
  const store = new PostgresEventStore(database.pool, { pollIntervalMs: 100 });
  return { store, teardown: () => store.close() };
});
