import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createEventStore } from '../../../src/adapters/eventstore/createEventStore';
import { EsdbEventStore } from '../../../src/adapters/eventstore/esdb/esdbEventStore';
import { PostgresEventStore } from '../../../src/adapters/eventstore/postgres/postgresEventStore';

// Neither constructor connects: the pool and the gRPC channel open on first use.
describe('createEventStore', () => {
  const pool = new pg.Pool({ connectionString: 'postgres://ledger@127.0.0.1:1/ledger' });

  it('selects EventStoreDB when EVENTSTORE_URL is set', async () => {
    const store = createEventStore({ EVENTSTORE_URL: 'esdb://127.0.0.1:2113?tls=false' }, pool);
    expect(store).toBeInstanceOf(EsdbEventStore);
    await store.close();
  });

  it('keeps streams in PostgreSQL when it is not', () => {
    expect(createEventStore({ EVENTSTORE_URL: undefined }, pool)).toBeInstanceOf(PostgresEventStore);
    expect(createEventStore({}, pool)).toBeInstanceOf(PostgresEventStore);
  });
});
