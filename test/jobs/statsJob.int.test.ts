import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/adapters/logging/createLogger';
import { ManualClock } from '../../src/domain/ports/clock';
import { listJobRuns, recordFinishedJobRun } from '../../src/jobs/scheduler/jobRunsRepository';
import { JobScheduler } from '../../src/jobs/scheduler/JobScheduler';
import { statsJob } from '../../src/jobs/statsJob';
import { createTestDatabase, type TestDatabase } from '../support/testDatabase';
import { insertTradeExecutions } from './tradeExecutionRows';

const logger = createLogger({ level: 'silent' });
const DAY = 24 * 3_600_000;

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ poolMax: 5 });
});
afterAll(async () => {
  await db.drop();
});

describe('stats job (15 0 * * * UTC)', () => {
  it('runs at 00:15 UTC by the controlled clock, refreshes execution_stats_24h and prunes old job runs', async () => {
    const clock = new ManualClock(Date.parse('2025-03-01T23:50:00.000Z'));
    const scheduler = new JobScheduler({ pool: db.pool, clock, logger, jobs: [statsJob({ pool: db.pool })] });
    expect(scheduler.nextDue().stats).toBe(Date.parse('2025-03-02T00:15:00.000Z'));

    const now = Date.now();
    const at = (msAgo: number) => new Date(now - msAgo);
    await insertTradeExecutions(db.pool, [
      {
        status: 'FILLED',
        bitvavoOrderId: 'a',
        submittingAt: at(60_000),
        submittedAt: at(59_990),
        updatedAt: at(59_000),
      },
      {
        status: 'FILLED',
        bitvavoOrderId: 'b',
        submittingAt: at(50_000),
        submittedAt: at(49_970),
        neededReconciliation: true,
        updatedAt: at(49_000),
      },
      { status: 'SUBMITTING', neededReconciliation: true, updatedAt: at(40_000) },
      { status: 'REJECTED', submittingAt: null, updatedAt: at(30_000) },
      // Two days old: outside the window.
      { status: 'FILLED', bitvavoOrderId: 'c', updatedAt: at(2 * DAY) },
    ]);
    await recordFinishedJobRun(db.pool, {
      job: 'old',
      instanceId: 'x',
      trigger: 'manual',
      scheduledForMs: null,
      startedAtMs: clock.nowMs() - 31 * DAY,
      finishedAtMs: clock.nowMs() - 31 * DAY,
      outcome: 'succeeded',
      detail: {},
    });

    clock.setMs(Date.parse('2025-03-02T00:14:59.999Z'));
    expect(await scheduler.tick()).toEqual([]);
    clock.setMs(Date.parse('2025-03-02T00:15:00.000Z'));
    const [report] = await scheduler.tick();
    expect(report?.outcome).toBe('succeeded');
    expect(report?.detail).toMatchObject({
      stored: true,
      totalExecutions: '3',
      submitted: '2',
      filled: '2',
      rejected: '1',
      softFailures: '2',
      reconciled: '1',
      recoveryRatePct: '66.67',
      jobRunsPruned: 1,
    });
    const stored = await db.pool.query<{
      total_executions: string;
      soft_failures: string;
      recovery_rate_pct: string;
    }>(
      `SELECT soft_failures, total_executions, ROUND(soft_failures::float / total_executions * 100)::int AS recovery_rate_pct
         FROM execution_stats_24h WHERE created_at > NOW() - INTERVAL '24 hours'`,
    );
    expect(stored.rows).toEqual([{ soft_failures: '2', total_executions: '3', recovery_rate_pct: 67 }]);
    expect(await listJobRuns(db.pool, { job: 'old' })).toEqual([]);
    await scheduler.stop();
  });
});
