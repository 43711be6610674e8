import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { GlobalPosition, RecordedEvent } from '../../src/domain/ports/eventStore';
import { executionsProjection } from '../../src/projections/executions/executionsProjection';
import type { ProjectionApplier } from '../../src/projections/projection';
import { ProjectionRunner } from '../../src/projections/projectionRunner';
import { verifyProjections } from '../../src/projections/verify/verifyProjections';
import { executionHistoryArb, type GeneratedHistory } from '../support/arbitraries/executionHistory';
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

function histories(count: number, seed: number): GeneratedHistory[] {
  const seen = new Set<string>();
  return fc
    .sample(executionHistoryArb(), { numRuns: count, seed })
    .filter((history) => !seen.has(history.clientOrderId) && seen.add(history.clientOrderId));
}

/** Records, per runner, the positions of the events in batches that COMMITTED. */
function recording(log: string[]) {
  return (inner: ProjectionApplier): ProjectionApplier => {
    let pending: RecordedEvent[] = [];
    return {
      async apply(client, events) {
        await inner.apply(client, events);
        pending.push(...events);
      },
      committed() {
        inner.committed();
        for (const event of pending) log.push(`${event.position.commit}/${event.position.prepare}`);
        pending = [];
      },
      rolledBack() {
        inner.rolledBack();
        pending = [];
      },
    };
  };
}

async function runTwo(exclusive: boolean) {
  const store = newStore(database.pool);
  const logs: string[][] = [[], []];
  const runners = logs.map(
    (log) =>
      new ProjectionRunner({
        pool: database.pool,
        store,
        projection: executionsProjection(),
        exclusive,
        standbyRetryMs: 20,
        batchSize: 7,
        wrapApplier: recording(log),
      }),
  );
  for (const runner of runners) runner.start();
  const all = histories(60, exclusive ? 11 : 12);
  let last: GlobalPosition | undefined;
  // Two writers at once, so that batches and commits interleave.
  const halves = [all.slice(0, 30), all.slice(30)];
  const results = await Promise.all(halves.map((half) => appendInterleaved(store, half)));
  for (const position of results) if (position && (!last || position.commit > last.commit)) last = position;
  await runners[0]!.waitForPosition(last!, 20_000);
  const events = all.reduce((sum, history) => sum + history.events.length, 0);
  return { store, runners, logs, events };
}

describe('two runners on one database', () => {
  it('never apply the same event twice, even both active at once (checkpoint row lock)', async () => {
    const { store, runners, logs, events } = await runTwo(false);
    await Promise.all(runners.map((runner) => runner.stop()));
    const applied = [...logs[0]!, ...logs[1]!];
    expect(new Set(applied).size).toBe(applied.length);
    expect(applied.length).toBe(events);
    // They really raced: events were delivered to both, and one of them found them already applied.
    expect(runners[0]!.status().eventsSkipped + runners[1]!.status().eventsSkipped).toBeGreaterThan(0);
    expect((await verifyProjections({ pool: database.pool, store, projections: ['executions'] })).ok).toBe(
      true,
    );
    await store.close();
  });

  it('with the advisory lock one leads and the other stands by, then takes over when the leader stops', async () => {
    const { store, runners, logs, events } = await runTwo(true);
    const leaders = runners.filter((runner) => runner.status().leader);
    expect(leaders).toHaveLength(1);
    const standby = runners.find((runner) => !runner.status().leader)!;
    // Its first try for the lock may still wait for a pool connection on a loaded machine ('stopped').
    await vi.waitFor(() => expect(standby.status().state).toBe('standby'), { timeout: 10_000, interval: 20 });
    expect(logs[runners.indexOf(standby)]).toEqual([]);
    expect(logs[runners.indexOf(leaders[0]!)]!.length).toBe(events);
    await leaders[0]!.stop();
    const more = histories(10, 99);
    const last = await appendInterleaved(store, more);
    await standby.waitForPosition(last!, 20_000);
    expect(standby.status().leader).toBe(true);
    expect(logs[runners.indexOf(standby)]!.length).toBe(
      more.reduce((sum, history) => sum + history.events.length, 0),
    );
    await standby.stop();
    expect((await verifyProjections({ pool: database.pool, store, projections: ['executions'] })).ok).toBe(
      true,
    );
    await store.close();
  });
});
