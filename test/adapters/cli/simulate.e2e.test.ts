import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../support/testDatabase';
import { runLedger } from './support/runLedger';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 2 });
});

afterAll(async () => {
  await database?.drop();
});

interface Report {
  ok: boolean;
  fingerprint: string;
  metrics: { name: string; ok: boolean; value: string }[];
  driver: { workerDeaths: number; quiescent: boolean };
  faults: Record<string, Record<string, number>>;
  database: { name: string; kept: boolean };
}

describe('ledger simulate as a child process', () => {
  it('runs a faulty staging run to quiescence, passes the five metrics, and repeats itself for the same seed', async () => {
    const args = [
      'simulate',
      '--executions',
      '30',
      '--concurrency',
      '4',
      '--fault-rate',
      '0.3',
      '--seed',
      '11',
      '--hours',
      '1',
      '--json',
    ];
    const env = { DATABASE_URL: database.connectionString };
    const first = await runLedger(args, env, { timeoutMs: 120_000 });
    expect(first.code, first.stderr).toBe(0);
    const report = JSON.parse(first.stdout) as Report;
    expect(report.metrics.map((metric) => [metric.name, metric.ok])).toEqual([
      ['invariants', true],
      ['event_log_completeness', true],
      ['recovery_rate', true],
      ['duplicates', true],
      ['stale_submitting', true],
    ]);
    expect(report.ok).toBe(true);
    expect(report.driver.quiescent).toBe(true);
    const injected = Object.values(report.faults).flatMap((counts) =>
      Object.entries(counts)
        .filter(([kind]) => kind !== 'none')
        .map(([, count]) => count),
    );
    expect(injected.reduce((sum, count) => sum + count, 0)).toBeGreaterThan(5);
    expect(report.database.kept).toBe(false);
    // The throwaway database is gone.
    const left = await database.pool.query('SELECT 1 FROM pg_database WHERE datname = $1', [
      report.database.name,
    ]);
    expect(left.rowCount).toBe(0);

    const second = await runLedger(args, env, { timeoutMs: 120_000 });
    expect(second.code, second.stderr).toBe(0);
    expect((JSON.parse(second.stdout) as Report).fingerprint).toBe(report.fingerprint);
  }, 200_000);
});
