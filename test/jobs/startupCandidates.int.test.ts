import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RecordingNotifier } from '../../src/adapters/alerts/notifier';
import { PostgresEventStore } from '../../src/adapters/eventstore/postgres/postgresEventStore';
import { createLogger } from '../../src/adapters/logging/createLogger';
import type { ReconcileReport } from '../../src/application/reconcile/reconcileService';
import { Readiness } from '../../src/application/readiness';
import { executionStreamName } from '../../src/domain/execution';
import { ManualClock } from '../../src/domain/ports/clock';
import { DEFAULT_SWEEPER_SETTINGS } from '../../src/jobs/reconcileSweeper';
import { findStartupCandidates } from '../../src/jobs/startupCandidates';
import { runStartupReconciliation } from '../../src/jobs/startupReconciliation';
import { createTestDatabase, type TestDatabase } from '../support/testDatabase';
import { insertTradeExecutions } from './tradeExecutionRows';

let db: TestDatabase;
let store: PostgresEventStore;
beforeEach(async () => {
  db = await createTestDatabase({ poolMax: 4 });
  store = new PostgresEventStore(db.pool);
});
afterEach(async () => {
  await store.close();
  await db.drop();
});

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000);

/** Five SUBMITTING rows in the read model, plus two executions whose intent is only in the (unprojected) tail. */
async function seed(): Promise<{ readModel: string[]; tailOnly: string[] }> {
  const readModel = await insertTradeExecutions(
    db.pool,
    Array.from({ length: 5 }, (_, i) => ({
      status: 'SUBMITTING',
      submittingAt: minutesAgo(10 - i),
      updatedAt: minutesAgo(10 - i),
    })),
  );
  const tailOnly = [randomUUID(), randomUUID()];
  for (const id of tailOnly) {
    await store.appendToStream(executionStreamName(id), [{ type: 'ExecutionSubmitting', data: {} }], {
      expectedRevision: 'no_stream',
    });
  }
  return { readModel, tailOnly };
}

describe('start-up candidates beyond maxExecutions', () => {
  it('are counted as left to the sweeper', async () => {
    const { readModel, tailOnly } = await seed();
    const all = await findStartupCandidates(db.pool, store, Date.now(), 10);
    expect(new Set(all.clientOrderIds)).toEqual(new Set([...readModel, ...tailOnly]));
    expect(all.leftToSweeper).toBe(0);

    const fromTail = await findStartupCandidates(db.pool, store, Date.now(), 6);
    expect(fromTail).toMatchObject({ fromReadModel: 5, fromTail: 1, leftToSweeper: 1 });

    const fromBoth = await findStartupCandidates(db.pool, store, Date.now(), 3);
    expect(fromBoth.clientOrderIds).toEqual(readModel.slice(0, 3));
    expect(fromBoth).toMatchObject({ fromTail: 0, leftToSweeper: 4 });
  });

  it('make the start-up reconciliation report itself incomplete, with an alert and a log line saying how many', async () => {
    await seed();
    const notifier = new RecordingNotifier();
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger(
      { level: 'info' },
      { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
    );
    const looked: string[] = [];
    const report = await runStartupReconciliation(
      {
        pool: db.pool,
        notifier,
        clock: new ManualClock(Date.now()),
        logger,
        readiness: new Readiness(),
        store,
        reconcile: {
          async reconcile(clientOrderId) {
            looked.push(clientOrderId);
            return {
              action: 'found',
              reason: 'found on the exchange',
              resent: false,
              execution: { clientOrderId, status: 'FILLED', reconcileAttempts: 1 },
            } as unknown as ReconcileReport;
          },
        },
      },
      DEFAULT_SWEEPER_SETTINGS,
      { maxExecutions: 3 },
    );
    expect(looked).toHaveLength(3);
    expect(report).toMatchObject({ completed: false, rounds: 3, resolved: 3, leftToSweeper: 4 });
    expect(notifier.alerts).toHaveLength(1);
    expect(notifier.alerts[0]).toMatchObject({ title: 'Start-up reconciliation incomplete' });
    expect(notifier.alerts[0]?.text).toContain('3 of 7');
    expect(
      lines.some((line) => line['leftToSweeper'] === 4 && line['msg'] !== 'start-up reconciliation done'),
    ).toBe(true);
  });
});
