import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresEventStore } from '../../../../src/adapters/eventstore/postgres/postgresEventStore';
import { createTestDatabase, type TestDatabase } from '../../../support/testDatabase';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

/** Uses up transaction ids (one subtransaction each) until the next one has one more digit. */
async function crossDigitBoundary(): Promise<void> {
  await database.pool.query('CREATE TEMP TABLE IF NOT EXISTS burn (n int)');
  const client = await database.pool.connect();
  try {
    await client.query(`DO $$
      DECLARE target bigint := power(10, length(pg_current_xact_id()::text))::bigint;
      BEGIN
        CREATE TEMP TABLE IF NOT EXISTS burn (n int);
        FOR i IN 1..2000000 LOOP
          EXIT WHEN pg_snapshot_xmax(pg_current_snapshot())::text::bigint > target + 1;
          BEGIN INSERT INTO burn VALUES (i); EXCEPTION WHEN others THEN NULL; END;
        END LOOP;
      END $$`);
  } finally {
    client.release();
  }
}

describe('PostgresEventStore.readAll order', () => {
  it('orders by transaction id as a number, also across a power of ten (999 before 1000)', async () => {
    const store = new PostgresEventStore(database.pool);
    const first = await store.appendToStream('order-a', [{ type: 'A', data: {} }], {
      expectedRevision: 'no_stream',
    });
    await crossDigitBoundary();
    const second = await store.appendToStream('order-b', [{ type: 'B', data: {} }], {
      expectedRevision: 'no_stream',
    });
    expect(second.position.commit.toString().length).toBeGreaterThan(first.position.commit.toString().length);
    // Other test files' open transactions may hold the read horizon back for a moment.
    let page = await store.readAll({ maxCount: 10 });
    for (let wait = 0; wait < 200 && page.events.length < 2; wait++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      page = await store.readAll({ maxCount: 10 });
    }
    expect(page.events.map((event) => event.type)).toEqual(['A', 'B']);
    const after = await store.readAll({ maxCount: 10, after: first.position });
    expect(after.events.map((event) => event.type)).toEqual(['B']);
    await store.close();
  });
});
