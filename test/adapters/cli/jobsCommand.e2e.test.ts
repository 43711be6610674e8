import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../support/testDatabase';
import { insertTradeExecutions } from '../../jobs/tradeExecutionRows';
import { runLedger } from './support/runLedger';

let database: TestDatabase;
let env: Record<string, string>;

beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 4 });
  env = { DATABASE_URL: database.connectionString };
});
afterAll(async () => {
  await database?.drop();
});

describe('ledger jobs', () => {
  it('runs a job by hand (recorded as manual) and lists the recorded runs', async () => {
    // At the default log level: the log goes to stderr, stdout stays the JSON answer.
    const run = await runLedger(['jobs', 'run', 'invariants', '--json'], { ...env, LOG_LEVEL: 'info' });
    expect(run.stderr).toContain('ALERT_WEBHOOK_URL is not set');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      job: 'invariants',
      trigger: 'manual',
      outcome: 'succeeded',
      detail: { ok: true },
    });
    const stored = await database.pool.query('SELECT count(*)::int AS n FROM invariant_check_results');
    expect(stored.rows[0]).toEqual({ n: 4 });

    const runs = await runLedger(['jobs', 'runs', '--job', 'invariants', '--json'], env);
    expect(JSON.parse(runs.stdout).runs).toEqual([
      expect.objectContaining({
        job: 'invariants',
        trigger: 'manual',
        outcome: 'succeeded',
        instanceId: 'cli',
      }),
    ]);
    const text = await runLedger(['jobs', 'runs'], env);
    expect(text.stdout).toMatch(/invariants\s+succeeded/);
  });

  it('exits 1 when the invariants it ran found violations (a check failed), after recording them', async () => {
    const [stale] = await insertTradeExecutions(database.pool, [
      { status: 'SUBMITTING', updatedAt: new Date(Date.now() - 3_600_000) },
    ]);
    try {
      const run = await runLedger(['jobs', 'run', 'invariants', '--json'], env);
      expect(run.code).toBe(1);
      expect(JSON.parse(run.stdout)).toMatchObject({
        outcome: 'succeeded',
        detail: { ok: false, violations: { check_no_stale_submitting: 1 } },
      });
    } finally {
      await database.pool.query('DELETE FROM trade_executions WHERE client_order_id = $1', [stale]);
    }
  });

  it('refuses jobs that only run inside serve', async () => {
    const run = await runLedger(['jobs', 'run', 'reconcile'], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('must be one of invariants, promotions, stats');
  });

  it('refuses an unknown job name in jobs runs --job (it answered "no runs recorded", exit 0)', async () => {
    const run = await runLedger(['jobs', 'runs', '--job', 'invariant'], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("argument 'invariant' is invalid");
    expect(run.stdout).toBe('');
  });
});
