import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../support/testDatabase';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

describe('embedded PostgreSQL settings', () => {
  it('ends a session left idle inside a transaction after 60 s (it would stall every projection)', async () => {
    const result = await database.pool.query<{ idle_in_transaction_session_timeout: string }>(
      'SHOW idle_in_transaction_session_timeout',
    );
    expect(result.rows[0]?.idle_in_transaction_session_timeout).toBe('1min');
  });

  it('runs the tests without fsync (a throwaway cluster), never the service', async () => {
    const result = await database.pool.query<{ fsync: string }>('SHOW fsync');
    expect(result.rows[0]?.fsync).toBe('off');
  });
});
