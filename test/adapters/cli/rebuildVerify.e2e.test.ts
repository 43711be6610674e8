import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executionsProjection } from '../../../src/projections/executions/executionsProjection';
import { ProjectionRunner } from '../../../src/projections/projectionRunner';
import { userPoliciesProjection } from '../../../src/projections/userPolicies/userPoliciesProjection';
import { policyEvents } from '../../domain/policy/userPolicyFixtures';
import { appendInterleaved, appendPolicyEvents, newStore } from '../../projections/projectionTestKit';
import { executionHistoryArb } from '../../support/arbitraries/executionHistory';
import { createTestDatabase, type TestDatabase } from '../../support/testDatabase';
import { runLedger } from './support/runLedger';

let database: TestDatabase;
let env: Record<string, string>;

beforeAll(async () => {
  database = await createTestDatabase();
  env = { DATABASE_URL: database.connectionString };
  const store = newStore(database.pool);
  const seen = new Set<string>();
  const histories = fc
    .sample(executionHistoryArb(), { numRuns: 40, seed: 3 })
    .filter((history) => !seen.has(history.clientOrderId) && seen.add(history.clientOrderId));
  const last = await appendInterleaved(store, histories);
  const policy = await appendPolicyEvents(store, 'dora', [policyEvents.tradingEnabled()]);
  for (const projection of [executionsProjection(), userPoliciesProjection()]) {
    const runner = new ProjectionRunner({ pool: database.pool, store, projection });
    runner.start();
    await runner.waitForPosition(projection.name === 'executions' ? last! : policy);
    await runner.stop();
  }
  await store.close();
}, 120_000);

afterAll(async () => {
  await database.drop();
});

describe('ledger verify and ledger rebuild (as processes)', () => {
  it('verify passes on matching read models (exit 0)', async () => {
    const run = await runLedger(['verify'], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('✅ the read models match the streams');
    expect(run.stdout).toMatch(/executions: \d+ events replayed/);
  });

  it('verify prints each drift planted by hand and exits 1; rebuild repairs it; verify passes again', async () => {
    const { rows } = await database.pool.query<{ client_order_id: string }>(
      'SELECT client_order_id FROM trade_executions ORDER BY client_order_id LIMIT 2',
    );
    const [first, second] = [rows[0]!.client_order_id, rows[1]!.client_order_id];
    await database.pool.query(`UPDATE trade_executions SET market = 'XRP-EUR' WHERE client_order_id = $1`, [
      first,
    ]);
    await database.pool.query(`DELETE FROM trade_executions WHERE client_order_id = $1`, [second]);
    const drifted = await runLedger(['verify'], env);
    expect(drifted.code).toBe(1);
    expect(drifted.stdout).toContain(
      `❌ field differs: trade_executions ${first} market: read model "XRP-EUR"`,
    );
    expect(drifted.stdout).toContain(`❌ missing row: trade_executions ${second}`);
    expect(drifted.stdout).toContain('❌ 2 drifts');
    const json = await runLedger(['verify', '--json', '--projection', 'executions'], env);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, driftCount: 2 });

    const rebuilt = await runLedger(['rebuild', '--batch-size', '500'], env);
    expect(rebuilt.code).toBe(0);
    expect(rebuilt.stdout).toMatch(/rebuilt executions: \d+ events/);
    expect(rebuilt.stdout).toMatch(/rebuilt user_policies: 1 events/);
    // Not a terminal: plain progress lines on stderr, no bar.
    expect(rebuilt.stderr).toMatch(/executions: (copying|indexing|swapping|done)/);
    expect(rebuilt.stderr).not.toContain('\r');
    const clean = await runLedger(['verify'], env);
    expect(clean.code).toBe(0);
  });

  it('rebuild --json reports each projection; an unknown projection is a usage error (exit 2)', async () => {
    const json = await runLedger(['rebuild', '--projection', 'user_policies', '--json'], env);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      rebuilt: [{ projection: 'user_policies', eventsApplied: 1 }],
    });
    const bad = await runLedger(['rebuild', '--projection', 'nope'], env);
    expect(bad.code).toBe(2);
  });

  it('rebuild re-runs itself under its V8 heap limit (the exit code is the child`s); --heap-mb 0 does not', async () => {
    const limited = await runLedger(['rebuild', '--projection', 'nope', '--heap-mb', '64'], env);
    // The usage error is found by the parent before any re-run: still exit 2.
    expect(limited.code).toBe(2);
    const direct = await runLedger(
      ['rebuild', '--projection', 'user_policies', '--json', '--heap-mb', '0'],
      env,
    );
    expect(direct.code).toBe(0);
    const rerun = await runLedger(
      ['rebuild', '--projection', 'user_policies', '--json', '--heap-mb', '96'],
      env,
    );
    expect(rerun.code).toBe(0);
    expect(JSON.parse(rerun.stdout)).toMatchObject({ rebuilt: [{ projection: 'user_policies' }] });
    const tooBig = await runLedger(['rebuild', '--heap-mb', '70000'], env);
    expect(tooBig.code).toBe(2);
  });
});
