import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordingNotifier } from '../../src/adapters/alerts/notifier';
import { createLogger } from '../../src/adapters/logging/createLogger';
import type { ReconcileReport } from '../../src/application/reconcile/reconcileService';
import { ManualClock } from '../../src/domain/ports/clock';
import { DEFAULT_SWEEPER_SETTINGS, sweepSubmitting } from '../../src/jobs/reconcileSweeper';
import { createTestDatabase, type TestDatabase } from '../support/testDatabase';
import { insertTradeExecutions } from './tradeExecutionRows';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ poolMax: 4 });
});
afterAll(async () => {
  await db.drop();
});

describe('the sweeper picks its work from the read model', () => {
  it('oldest due first; young ones wait; lookups are spaced per execution; exhausted ones go to ops', async () => {
    const now = Date.now();
    const ago = (ms: number) => new Date(now - ms);
    const [young, spaced, due, older, exhausted] = await insertTradeExecutions(db.pool, [
      // Intent 5 s ago: still in its own request.
      { status: 'SUBMITTING', submittingAt: ago(5_000), updatedAt: ago(5_000) },
      // 3 lookups, the last 30 s ago: the next waits 5 s × 2³ = 40 s.
      { status: 'SUBMITTING', submittingAt: ago(90_000), updatedAt: ago(30_000), reconcileAttempts: 3 },
      // 1 lookup 11 s ago (> 10 s): due.
      { status: 'SUBMITTING', submittingAt: ago(60_000), updatedAt: ago(11_000), reconcileAttempts: 1 },
      // Never looked up, intent 2 minutes ago: due, and the oldest.
      { status: 'SUBMITTING', submittingAt: ago(120_000), updatedAt: ago(120_000) },
      // Out of lookups: an operator's.
      { status: 'SUBMITTING', submittingAt: ago(600_000), updatedAt: ago(60_000), reconcileAttempts: 20 },
      { status: 'FILLED', bitvavoOrderId: 'x' },
    ]);
    const calls: string[] = [];
    const notifier = new RecordingNotifier();
    const summary = await sweepSubmitting(
      {
        pool: db.pool,
        notifier,
        clock: new ManualClock(now),
        logger: createLogger({ level: 'silent' }),
        reconcile: {
          async reconcile(clientOrderId) {
            calls.push(clientOrderId);
            return {
              action: 'not_found',
              reason: 'no evidence yet',
              resent: false,
              execution: {
                clientOrderId,
                status: 'SUBMITTING',
                submittingAt: ago(60_000).toISOString(),
                reconcileAttempts: 2,
              },
            } as unknown as ReconcileReport;
          },
        },
      },
      DEFAULT_SWEEPER_SETTINGS,
      { nowMs: now },
    );
    expect(calls).toEqual([older, due]);
    expect(calls).not.toContain(young);
    expect(calls).not.toContain(spaced);
    expect(summary).toMatchObject({ listed: 2, rounds: 2, stillSubmitting: 2, unresolved: [exhausted] });
    expect(notifier.alerts).toEqual([
      expect.objectContaining({ severity: 'critical', dedupeKey: `reconcile-unresolved:${exhausted}` }),
    ]);
  });
});
