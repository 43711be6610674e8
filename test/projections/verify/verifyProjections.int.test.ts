import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProjectionRunner } from '../../../src/projections/projectionRunner';
import { allProjections } from '../../../src/projections/registry';
import { describeDrift } from '../../../src/projections/verify/drift';
import { verifyProjections } from '../../../src/projections/verify/verifyProjections';
import { policyEvents, promotedTo } from '../../domain/policy/userPolicyFixtures';
import { executionHistoriesArb } from '../../support/arbitraries/executionHistory';
import { createTestDatabase, type TestDatabase } from '../../support/testDatabase';
import { appendInterleaved, appendPolicyEvents, newStore } from '../projectionTestKit';

let database: TestDatabase;
const store = () => newStore(database.pool);

beforeAll(async () => {
  database = await createTestDatabase();
  const writer = store();
  const histories = fc.sample(
    executionHistoriesArb({ maxExecutions: 10 }).filter((all) => all.length >= 6),
    { numRuns: 1, seed: 42 },
  )[0]!;
  const lastExecution = await appendInterleaved(writer, histories);
  await appendPolicyEvents(writer, 'alice', [policyEvents.tradingEnabled(), ...promotedTo('PRODUCTION')]);
  const lastPolicy = await appendPolicyEvents(writer, 'bob', [
    policyEvents.tradingEnabled(),
    policyEvents.overrideSet('10'),
  ]);
  const runners = allProjections().map(
    (projection) => new ProjectionRunner({ pool: database.pool, store: writer, projection }),
  );
  for (const runner of runners) runner.start();
  // Each projection advances on its own streams only: wait for each one's last event.
  await runners[0]!.waitForPosition(lastExecution!);
  await runners[1]!.waitForPosition(lastPolicy);
  await Promise.all(runners.map((runner) => runner.stop()));
  await writer.close();
});
afterAll(async () => {
  await database.drop();
});

async function verify() {
  const writer = store();
  try {
    return await verifyProjections({ pool: database.pool, store: writer });
  } finally {
    await writer.close();
  }
}

/** Plants a change (committed, as verify reads its own snapshot), verifies, and undoes it. */
async function withPlanted(plant: string, undo: string) {
  await database.pool.query(plant);
  try {
    return await verify();
  } finally {
    await database.pool.query(undo);
  }
}

/*
 * Drifts that keep a value equal as a number or to the millisecond but change what the read model
 * stores (and what the API prints): a decimal's scale, a time's microseconds. These undo what they
 * plant; the last test of the next block does not, so this block comes first.
 */
describe('ledger verify: exact values', () => {
  /** Plants a change, verifies, undoes it; returns the drifts as `kind:key:column`. */
  async function driftsWith(plant: string, undo: string): Promise<string[]> {
    const result = await withPlanted(plant, undo);
    expect(result.ok).toBe(result.driftCount === 0);
    return result.drifts.map((drift) => `${drift.kind}:${drift.key}:${drift.column}`);
  }

  async function firstExecution(): Promise<string> {
    const { rows } = await database.pool.query<{ client_order_id: string }>(
      'SELECT client_order_id FROM trade_executions ORDER BY client_order_id LIMIT 1',
    );
    return rows[0]!.client_order_id;
  }

  it('finds a decimal whose scale changed (the API prints the stored text: 1.0 is not 1.00)', async () => {
    const id = await firstExecution();
    expect(
      await driftsWith(
        `UPDATE trade_executions SET fee_paid = round(fee_paid, 12) WHERE client_order_id = '${id}'`,
        `UPDATE trade_executions SET fee_paid = trim_scale(fee_paid) WHERE client_order_id = '${id}'`,
      ),
    ).toEqual([`field_differs:${id}:fee_paid`]);
    expect(
      await driftsWith(
        `UPDATE user_policies SET order_limit_eur = 10.00 WHERE user_id = 'bob'`,
        `UPDATE user_policies SET order_limit_eur = 10 WHERE user_id = 'bob'`,
      ),
    ).toEqual(['field_differs:bob:order_limit_eur']);
    expect((await verify()).ok).toBe(true);
  });

  it('finds a time moved by a microsecond', async () => {
    const id = await firstExecution();
    expect(
      await driftsWith(
        `UPDATE trade_executions SET updated_at = updated_at + interval '1 microsecond' WHERE client_order_id = '${id}'`,
        `UPDATE trade_executions SET updated_at = updated_at - interval '1 microsecond' WHERE client_order_id = '${id}'`,
      ),
    ).toEqual([`field_differs:${id}:updated_at`]);
    expect((await verify()).ok).toBe(true);
  });
});

describe('ledger verify', () => {
  it('passes on read models that match the streams', async () => {
    const result = await verify();
    expect(result.drifts.map(describeDrift)).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.projections.map((projection) => projection.projection)).toEqual([
      'executions',
      'user_policies',
    ]);
    expect(result.projections[0]!.events).toBeGreaterThan(8);
    expect(result.projections[1]!.rows).toBe(2);
  });

  it('finds a field changed by hand', async () => {
    const { rows } = await database.pool.query<{ client_order_id: string; status: string }>(
      'SELECT client_order_id, status FROM trade_executions ORDER BY client_order_id LIMIT 1',
    );
    const row = rows[0]!;
    const result = await withPlanted(
      `UPDATE trade_executions SET status = 'FILLED', filled_amount = filled_amount + 1 WHERE client_order_id = '${row.client_order_id}'`,
      `UPDATE trade_executions SET status = '${row.status}', filled_amount = filled_amount - 1 WHERE client_order_id = '${row.client_order_id}'`,
    );
    expect(result.ok).toBe(false);
    const columns = result.drifts.map((drift) => `${drift.kind}:${drift.key}:${drift.column}`);
    expect(columns).toContain(`field_differs:${row.client_order_id}:filled_amount`);
    if (row.status !== 'FILLED') expect(columns).toContain(`field_differs:${row.client_order_id}:status`);
    expect((await verify()).ok).toBe(true);
  });

  it('finds a missing row, an extra row and a changed audit event', async () => {
    await database.pool.query(
      'CREATE TABLE saved AS SELECT * FROM trade_executions ORDER BY client_order_id LIMIT 1',
    );
    const saved = await database.pool.query<{ client_order_id: string }>('SELECT client_order_id FROM saved');
    const id = saved.rows[0]!.client_order_id;
    await database.pool.query(`DELETE FROM trade_executions WHERE client_order_id = '${id}'`);
    await database.pool.query(
      `INSERT INTO trade_executions SELECT * FROM saved; UPDATE trade_executions SET client_order_id = '00000000-0000-4000-8000-000000000000' WHERE client_order_id = '${id}'`,
    );
    await database.pool.query(
      `UPDATE execution_events SET data = jsonb_set(data, '{schemaVersion}', '2') WHERE execution_id = '${id}' AND stream_revision = 0`,
    );
    await database.pool.query(
      `UPDATE user_execution_stats SET successful = successful + 1, executions_past_gates = executions_past_gates + 1, executions_total = executions_total + 1 WHERE user_id = (SELECT user_id FROM saved)`,
    );
    await database.pool.query(
      `UPDATE user_policies SET trading_enabled = NOT trading_enabled WHERE user_id = 'bob'`,
    );
    const result = await verify();
    const found = result.drifts.map((drift) =>
      `${drift.kind} ${drift.table} ${drift.key} ${drift.column ?? ''}`.trim(),
    );
    expect(found).toContain(`missing_row trade_executions ${id}`);
    expect(found).toContain('extra_row trade_executions 00000000-0000-4000-8000-000000000000');
    expect(found).toContain(`field_differs execution_events ${id}#0 data`);
    expect(
      found.some(
        (line) => line.startsWith('field_differs user_execution_stats') && line.endsWith('successful'),
      ),
    ).toBe(true);
    expect(found).toContain('field_differs user_policies bob trading_enabled');
    expect(result.driftCount).toBe(result.drifts.length);
  });
});
