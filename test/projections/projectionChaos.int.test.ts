import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_READ_ALL_COUNT, type GlobalPosition } from '../../src/domain/ports/eventStore';
import { applyBatch } from '../../src/projections/applyBatch';
import { executionsProjection } from '../../src/projections/executions/executionsProjection';
import { ProjectionRunner } from '../../src/projections/projectionRunner';
import { createRebuildTables, REBUILD_TABLES } from '../../src/projections/rebuild/rebuildTables';
import { describeDrift } from '../../src/projections/verify/drift';
import { verifyProjections } from '../../src/projections/verify/verifyProjections';
import { executionHistoriesArb } from '../support/arbitraries/executionHistory';
import { createTestDatabase, type TestDatabase } from '../support/testDatabase';
import { ChaosStore, crashingApplier, seededRandom } from './chaosStore';
import {
  appendInterleaved,
  interleavingArb,
  newStore,
  readModelSnapshot,
  resetTables,
} from './projectionTestKit';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

const projection = executionsProjection();

/** One clean pass over the whole stream into the fresh (`__rebuild`) tables: the reference. */
async function cleanReplay(): Promise<void> {
  const store = newStore(database.pool);
  const client = await database.pool.connect();
  try {
    await createRebuildTables(client, projection.tables);
    // The server-side audit copy here, the generic path in the runners: the two must agree.
    const applier = projection.createApplier(REBUILD_TABLES, { eventsTableInDatabase: true });
    let after: GlobalPosition | undefined;
    for (let page = 0; page < 1_000; page++) {
      const result = await store.readAll({
        ...(after ? { after } : {}),
        maxCount: MAX_READ_ALL_COUNT,
        streamPrefixes: projection.streamPrefixes,
      });
      if (result.events.length === 0) break;
      await applyBatch(client, 'clean_replay', applier, result.events);
      after = result.lastPosition;
    }
  } finally {
    client.release();
    await store.close();
  }
}

function runner(store: ChaosStore, seed: number, crashRate: number, counters: { crashes: number }) {
  const random = seededRandom(seed);
  return new ProjectionRunner({
    pool: database.pool,
    store,
    projection,
    minRestartDelayMs: 1,
    maxRestartDelayMs: 5,
    maxConsecutiveFailures: 10_000,
    wrapApplier: (applier) => crashingApplier(applier, random, crashRate, counters),
  });
}

describe('executions projection under redelivery, crashes and restarts', () => {
  it('ends with exactly the tables of one clean replay, and agrees with the domain replay', async () => {
    const scenario = executionHistoriesArb({ maxExecutions: 8 })
      .filter((histories) => histories.length > 0)
      .chain((histories) =>
        fc.record({
          histories: fc.constant(histories),
          order: interleavingArb(histories),
          seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
          redeliveryRate: fc.double({ min: 0, max: 0.5, noNaN: true }),
          crashRate: fc.double({ min: 0, max: 0.4, noNaN: true }),
          maxBatch: fc.integer({ min: 1, max: 12 }),
          restartAfterFraction: fc.double({ min: 0, max: 1, noNaN: true }),
        }),
      );
    let redeliveries = 0;
    const counters = { crashes: 0 };
    await fc.assert(
      fc.asyncProperty(scenario, async (run) => {
        await resetTables(database.pool);
        const writer = newStore(database.pool);
        const chaos = new ChaosStore(writer, {
          random: seededRandom(run.seed),
          redeliveryRate: run.redeliveryRate,
          maxBatch: run.maxBatch,
        });
        const split = Math.floor(run.order.length * run.restartAfterFraction);
        // First life: the first part of the events, appended while it runs; then it "dies".
        const first = runner(chaos, run.seed + 1, run.crashRate, counters);
        first.start();
        const appended = run.histories.map(() => 0);
        const firstPart = await appendInterleaved(writer, run.histories, run.order.slice(0, split), appended);
        if (firstPart) await first.waitForPosition(firstPart, 20_000, 5).catch(() => undefined);
        await first.stop();
        // Second life, fresh memory: from the checkpoint in the database.
        const second = runner(chaos, run.seed + 2, run.crashRate, counters);
        second.start();
        const last =
          (await appendInterleaved(writer, run.histories, run.order.slice(split), appended)) ?? firstPart;
        await second.waitForPosition(last!, 30_000, 5);
        await second.stop();
        redeliveries += chaos.redeliveries;
        await cleanReplay();
        expect(await readModelSnapshot(database.pool)).toEqual(
          await readModelSnapshot(database.pool, '__rebuild'),
        );
        const verified = await verifyProjections({
          pool: database.pool,
          store: writer,
          projections: ['executions'],
        });
        expect(verified.drifts.map(describeDrift)).toEqual([]);
        await writer.close();
      }),
      { numRuns: 40, endOnFailure: true },
    );
    // The chaos really happened (over all runs).
    expect(redeliveries).toBeGreaterThan(0);
    expect(counters.crashes).toBeGreaterThan(0);
  });
});
