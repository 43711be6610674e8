import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProjectionRunner } from '../../../src/projections/projectionRunner';
import { allProjections } from '../../../src/projections/registry';
import { verifyProjections } from '../../../src/projections/verify/verifyProjections';
import { policyEvents } from '../../domain/policy/userPolicyFixtures';
import { executionHistoriesArb } from '../../support/arbitraries/executionHistory';
import { createTestDatabase, type TestDatabase } from '../../support/testDatabase';
import { appendInterleaved, appendPolicyEvents, newStore } from '../projectionTestKit';

/*
 * Drifts that keep a value equal as a number or to the millisecond but change what the read model
 * stores (and what the API prints): a decimal's scale, a time's microseconds.
 */
let database: TestDatabase;
const store = () => newStore(database.pool);

beforeAll(async () => {
  database = await createTestDatabase();
  const writer = store();
  const histories = fc.sample(
    executionHistoriesArb({ maxExecutions: 6 }).filter((all) => all.length >= 3),
    { numRuns: 1, seed: 7 },
  )[0]!;
  const lastExecution = await appendInterleaved(writer, histories);
  const lastPolicy = await appendPolicyEvents(writer, 'bob', [
    policyEvents.tradingEnabled(),
    policyEvents.overrideSet('10'),
  ]);
  const runners = allProjections().map(
    (projection) => new ProjectionRunner({ pool: database.pool, store: writer, projection }),
  );
  for (const runner of runners) runner.start();
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

/** Plants a change, verifies, undoes it; returns the drifts as `kind:key:column`. */
async function driftsWith(plant: string, undo: string): Promise<string[]> {
  await database.pool.query(plant);
  try {
    const result = await verify();
    expect(result.ok).toBe(result.driftCount === 0);
    return result.drifts.map((drift) => `${drift.kind}:${drift.key}:${drift.column}`);
  } finally {
    await database.pool.query(undo);
  }
}

async function firstExecution(): Promise<string> {
  const { rows } = await database.pool.query<{ client_order_id: string }>(
    'SELECT client_order_id FROM trade_executions ORDER BY client_order_id LIMIT 1',
  );
  return rows[0]!.client_order_id;
}

describe('ledger verify: exact values', () => {
  it('passes on the untouched read models', async () => {
    const result = await verify();
    expect(result.drifts).toEqual([]);
    expect(result.ok).toBe(true);
  });

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
