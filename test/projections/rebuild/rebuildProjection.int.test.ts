import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { executionsProjection } from '../../../src/projections/executions/executionsProjection';
import { ProjectionRunner } from '../../../src/projections/projectionRunner';
import { rebuildProjection, type RebuildProgress } from '../../../src/projections/rebuild/rebuildProjection';
import { userPoliciesProjection } from '../../../src/projections/userPolicies/userPoliciesProjection';
import { describeDrift } from '../../../src/projections/verify/drift';
import { verifyProjections } from '../../../src/projections/verify/verifyProjections';
import { policyEvents } from '../../domain/policy/userPolicyFixtures';
import { executionHistoryArb, type GeneratedHistory } from '../../support/arbitraries/executionHistory';
import { createTestDatabase, type TestDatabase } from '../../support/testDatabase';
import {
  appendInterleaved,
  appendPolicyEvents,
  newStore,
  readModelSnapshot,
  waitUntilReadable,
} from '../projectionTestKit';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

function histories(count: number, seed: number): GeneratedHistory[] {
  return fc.sample(executionHistoryArb(), { numRuns: count, seed });
}

function uniqueById(all: GeneratedHistory[]): GeneratedHistory[] {
  const seen = new Set<string>();
  return all.filter((history) => !seen.has(history.clientOrderId) && seen.add(history.clientOrderId));
}

async function count(sql: string): Promise<number> {
  const result = await database.pool.query<{ n: string }>(sql);
  return Number(result.rows[0]!.n);
}

describe('ledger rebuild', () => {
  it('rebuilds into fresh tables and swaps them in while writers and readers keep going, losing nothing', async () => {
    const store = newStore(database.pool);
    const before = uniqueById([...histories(100, 1), ...histories(100, 2)]);
    await appendInterleaved(store, before);
    const runner = new ProjectionRunner({
      pool: database.pool,
      store,
      projection: executionsProjection(),
      batchSize: 20,
    });
    runner.start();
    onTestFinished(() => runner.stop());
    onTestFinished(() => store.close());
    // A session that used the invariant functions before the swap must find the new tables after it.
    const session = await database.pool.connect();
    onTestFinished(() => session.release());
    await session.query('SELECT count(*) FROM check_no_duplicates()');

    // Writers keep appending through the whole rebuild and a little after it.
    const used = new Set(before.map((history) => history.clientOrderId));
    const appended: GeneratedHistory[] = [];
    let phase = 'before';
    const appendedIn: Record<string, number> = {};
    let rebuilt = false;
    let written = 0;
    const writer = (async () => {
      let last;
      for (let seed = 100; seed < 1_000 && !(rebuilt && written >= 20); seed++) {
        for (const history of histories(5, seed)) {
          if (used.has(history.clientOrderId)) continue;
          used.add(history.clientOrderId);
          last = (await appendInterleaved(store, [history])) ?? last;
          appendedIn[phase] = (appendedIn[phase] ?? 0) + history.events.length;
          appended.push(history);
          if (rebuilt) written++;
        }
      }
      return last;
    })();
    const seen: number[] = [];
    const reader = (async () => {
      for (let i = 0; i < 100_000 && !rebuilt; i++) {
        seen.push(await count('SELECT count(*) AS n FROM trade_executions'));
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    const progress: RebuildProgress[] = [];
    const result = await rebuildProjection({
      pool: database.pool,
      store,
      projection: executionsProjection(),
      batchSize: 25,
      // The rebuild copies the audit log server-side; the live runner writes it row by row.
      eventsTableInDatabase: true,
      onProgress: (item) => {
        progress.push(item);
        phase = item.phase;
      },
    });
    rebuilt = true;
    const last = await writer;
    await reader;
    await runner.waitForPosition(last!);
    expect(appendedIn['copying']).toBeGreaterThan(0);
    expect(appendedIn['done']).toBeGreaterThan(0);
    const during = appended;

    const all = [...before, ...during];
    expect(await count('SELECT count(*) AS n FROM trade_executions')).toBe(all.length);
    expect(await count('SELECT count(*) AS n FROM execution_events')).toBe(
      all.reduce((sum, history) => sum + history.events.length, 0),
    );
    const verified = await verifyProjections({ pool: database.pool, store, projections: ['executions'] });
    expect(verified.drifts.map(describeDrift)).toEqual([]);
    // Readers never saw the table shrink or fail across the swap.
    for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThanOrEqual(seen[i - 1]!);
    expect(result.eventsApplied).toBeGreaterThan(0);
    expect(progress.map((item) => item.phase)).toContain('swapping');
    expect(progress.at(-1)!.phase).toBe('done');
    // Same names as before the swap, no leftovers.
    const constraints = await database.pool.query<{ conname: string }>(
      `SELECT conname FROM pg_constraint WHERE conrelid = 'trade_executions'::regclass AND contype = 'u'`,
    );
    expect(constraints.rows.map((row) => row.conname)).toEqual(['trade_executions_client_order_id_key']);
    const indexes = await database.pool.query<{ indexname: string }>(
      `SELECT indexname FROM pg_indexes WHERE tablename = 'trade_executions' ORDER BY indexname`,
    );
    expect(indexes.rows.map((row) => row.indexname)).toEqual([
      'trade_executions_bitvavo_order_idx',
      'trade_executions_client_order_id_key',
      'trade_executions_created_idx',
      'trade_executions_status_updated_idx',
      'trade_executions_user_created_idx',
    ]);
    expect(
      await count(
        `SELECT count(*) AS n FROM pg_tables WHERE tablename LIKE '%\\_\\_old' OR tablename LIKE '%\\_\\_rebuild'`,
      ),
    ).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM projection_checkpoints WHERE name LIKE '%rebuild'`)).toBe(
      0,
    );
    const duplicates = await session.query('SELECT count(*) AS n FROM check_no_duplicates()');
    expect(Number((duplicates.rows[0] as { n: string }).n)).toBe(0);
    const generated = await database.pool.query(
      `SELECT count(*) AS n FROM user_execution_stats WHERE success_rate IS NULL OR recovery_rate IS NULL`,
    );
    expect(Number((generated.rows[0] as { n: string }).n)).toBe(0);
  });

  it('rebuilding an up-to-date projection with large batches (COPY) gives the very same tables', async () => {
    const store = newStore(database.pool);
    onTestFinished(() => store.close());
    const before = await readModelSnapshot(database.pool);
    expect(before.trade_executions.length).toBeGreaterThan(200);
    // A stream with the prefix but not an execution: the fold skips it, so the audit copy must too.
    const noise = await store.appendToStream('execution-not-a-uuid', [{ type: 'Noise', data: {} }], {
      expectedRevision: 'no_stream',
    });
    await waitUntilReadable(store, noise.position);
    for (const eventsTableInDatabase of [false, true]) {
      await rebuildProjection({
        pool: database.pool,
        store,
        projection: executionsProjection(),
        batchSize: 10_000,
        eventsTableInDatabase,
      });
      expect(await readModelSnapshot(database.pool)).toEqual(before);
    }
  });

  it('with small pages and no state cache, reads the missing states from the store: the very same tables', async () => {
    const store = newStore(database.pool);
    onTestFinished(() => store.close());
    const before = await readModelSnapshot(database.pool);
    expect(before.execution_events.length).toBeGreaterThan(500);
    const query = vi.spyOn(database.pool, 'query');
    onTestFinished(() => query.mockRestore());
    // Pages of 7 events: long executions continue across pages, and no state is cached between them.
    await rebuildProjection({
      pool: database.pool,
      store,
      projection: executionsProjection({ stateCacheSize: 0 }),
      batchSize: 7,
      eventsTableInDatabase: true,
    });
    const statesFromStore = query.mock.calls.filter((call) =>
      String(call[0]).includes('JOIN events e ON e.stream_id = m.stream_id'),
    );
    expect(statesFromStore.length).toBeGreaterThan(0);
    expect(await readModelSnapshot(database.pool)).toEqual(before);
    const verified = await verifyProjections({ pool: database.pool, store, projections: ['executions'] });
    expect(verified.ok).toBe(true);
    // The audit log got its primary key after the load.
    const key = await count(
      `SELECT count(*) AS n FROM pg_constraint WHERE conrelid = 'execution_events'::regclass AND contype = 'p'`,
    );
    expect(key).toBe(1);
  });

  it('rebuilds user_policies from zero when no runner is running', async () => {
    const store = newStore(database.pool);
    const appended = await appendPolicyEvents(store, 'carol', [
      policyEvents.tradingEnabled(),
      policyEvents.overrideSet('10'),
    ]);
    await waitUntilReadable(store, appended);
    await rebuildProjection({ pool: database.pool, store, projection: userPoliciesProjection() });
    const rows = await database.pool.query(
      'SELECT user_id, trading_enabled, order_limit_eur FROM user_policies',
    );
    expect(rows.rows).toEqual([{ user_id: 'carol', trading_enabled: true, order_limit_eur: '10' }]);
    const verified = await verifyProjections({ pool: database.pool, store, projections: ['user_policies'] });
    expect(verified.ok).toBe(true);
    await store.close();
  });
});
