import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEsdbEventStore } from '../../src/adapters/eventstore/esdb/esdbEventStore';
import type { EventStore } from '../../src/domain/ports/eventStore';
import { executionsProjection } from '../../src/projections/executions/executionsProjection';
import { ProjectionRunner } from '../../src/projections/projectionRunner';
import { rebuildProjection } from '../../src/projections/rebuild/rebuildProjection';
import { userPoliciesProjection } from '../../src/projections/userPolicies/userPoliciesProjection';
import { describeDrift } from '../../src/projections/verify/drift';
import { verifyProjections } from '../../src/projections/verify/verifyProjections';
import { policyEvents } from '../domain/policy/userPolicyFixtures';
import { executionHistoryArb } from '../support/arbitraries/executionHistory';
import { startEsdbDouble, type EsdbDouble } from '../support/esdb/esdbDouble';
import { createTestDatabase, type TestDatabase } from '../support/testDatabase';
import { appendInterleaved, appendPolicyEvents, readModelSnapshot } from './projectionTestKit';

/*
 * The projections work with any EventStore: here the streams live in EventStoreDB (the in-process
 * double speaking its gRPC protocol) and only the read models and checkpoints in PostgreSQL. The
 * checkpoint keeps EventStoreDB's own (commit, prepare) positions.
 */
let database: TestDatabase;
let double: EsdbDouble;
let store: EventStore;

beforeAll(async () => {
  database = await createTestDatabase();
  double = await startEsdbDouble();
  store = createEsdbEventStore(double.connectionString);
});
afterAll(async () => {
  await store?.close();
  await double?.close();
  await database?.drop();
});

describe('projections on EventStoreDB', () => {
  it('follow, verify and rebuild exactly as on PostgreSQL', async () => {
    const seen = new Set<string>();
    const histories = fc
      .sample(executionHistoryArb(), { numRuns: 30, seed: 21 })
      .filter((history) => !seen.has(history.clientOrderId) && seen.add(history.clientOrderId));
    const runners = [executionsProjection(), userPoliciesProjection()].map(
      (projection) => new ProjectionRunner({ pool: database.pool, store, projection, batchSize: 20 }),
    );
    for (const runner of runners) runner.start();
    try {
      const last = await appendInterleaved(store, histories);
      const policy = await appendPolicyEvents(store, 'erin', [
        policyEvents.tradingEnabled(),
        policyEvents.overrideSet('10'),
      ]);
      await runners[0]!.waitForPosition(last!, 20_000);
      await runners[1]!.waitForPosition(policy, 20_000);
    } finally {
      await Promise.all(runners.map((runner) => runner.stop()));
    }
    const checkpoint = await database.pool.query<{ name: string; commit_position: string }>(
      'SELECT name, commit_position FROM projection_checkpoints ORDER BY name',
    );
    expect(checkpoint.rows.map((row) => row.name)).toEqual(['executions', 'user_policies']);

    const verified = await verifyProjections({ pool: database.pool, store });
    expect(verified.drifts.map(describeDrift)).toEqual([]);
    expect(verified.projections[0]!.events).toBe(
      histories.reduce((sum, history) => sum + history.events.length, 0),
    );

    const before = await readModelSnapshot(database.pool);
    await rebuildProjection({
      pool: database.pool,
      store,
      projection: executionsProjection(),
      batchSize: 25,
    });
    expect(await readModelSnapshot(database.pool)).toEqual(before);
    expect((await verifyProjections({ pool: database.pool, store })).ok).toBe(true);
  });

  it('rebuild and verify read past a long run of events of other streams, where a read ends early on its scan bound', async () => {
    // A store that looks at 16 events per readAll at most: a run of 40 policy events answers the
    // executions projection with short and empty pages that are not the end of the stream.
    const bounded = createEsdbEventStore(double.connectionString, {
      readPageSize: 16,
      maxScannedPerReadAll: 16,
    });
    try {
      await appendPolicyEvents(
        store,
        'frank',
        Array.from({ length: 40 }, () => policyEvents.overrideSet('10')),
      );
      const [later] = fc.sample(executionHistoryArb(), { numRuns: 1, seed: 99 });
      const last = await appendInterleaved(store, [later!]);
      const runner = new ProjectionRunner({ pool: database.pool, store, projection: executionsProjection() });
      runner.start();
      try {
        await runner.waitForPosition(last!, 20_000);
      } finally {
        await runner.stop();
      }
      const before = await readModelSnapshot(database.pool);
      const verified = await verifyProjections({ pool: database.pool, store: bounded });
      expect(verified.drifts.map(describeDrift)).toEqual([]);

      await rebuildProjection({
        pool: database.pool,
        store: bounded,
        projection: executionsProjection(),
        batchSize: 25,
      });
      expect(await readModelSnapshot(database.pool)).toEqual(before);
      expect((await verifyProjections({ pool: database.pool, store })).ok).toBe(true);
    } finally {
      await bounded.close();
    }
  });
});
