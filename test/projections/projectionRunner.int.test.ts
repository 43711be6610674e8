import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { replayExecution } from '../../src/domain/execution';
import { executionsProjection } from '../../src/projections/executions/executionsProjection';
import { ProjectionRunner } from '../../src/projections/projectionRunner';
import { executionHistoriesArb } from '../support/arbitraries/executionHistory';
import { createTestDatabase, type TestDatabase } from '../support/testDatabase';
import { appendInterleaved, newStore, resetTables } from './projectionTestKit';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});
beforeEach(async () => {
  await resetTables(database.pool);
});

describe('ProjectionRunner (executions)', () => {
  it('catches up, then follows live, with rows equal to the domain replay', async () => {
    const histories = fc.sample(executionHistoriesArb({ maxExecutions: 6 }), { numRuns: 1, seed: 7 })[0]!;
    const store = newStore(database.pool);
    const half = Math.floor(histories.length / 2);
    await appendInterleaved(store, histories.slice(0, half));
    const runner = new ProjectionRunner({ pool: database.pool, store, projection: executionsProjection() });
    runner.start();
    try {
      const last = await appendInterleaved(store, histories.slice(half));
      if (last) await runner.waitForPosition(last);
      const rows = await database.pool.query<{
        client_order_id: string;
        status: string;
        stream_revision: string;
      }>('SELECT client_order_id, status, stream_revision FROM trade_executions ORDER BY client_order_id');
      const expected = histories
        .map((history) => {
          const state = replayExecution(history.events);
          return {
            client_order_id: history.clientOrderId,
            status: state.status,
            stream_revision: String(state.version - 1),
          };
        })
        .sort((a, b) => a.client_order_id.localeCompare(b.client_order_id));
      expect(rows.rows).toEqual(expected);
      const audit = await database.pool.query<{ count: string }>('SELECT count(*) FROM execution_events');
      expect(Number(audit.rows[0]!.count)).toBe(
        histories.reduce((sum, history) => sum + history.events.length, 0),
      );
      const lag = await runner.lag();
      expect(lag.events).toBe(0);
      expect(lag.ms).toBe(0);
      expect(runner.status().state).toBe('live');
    } finally {
      await runner.stop();
      await store.close();
    }
  });
});
