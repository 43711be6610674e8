import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { RecordingNotifier } from '../../src/adapters/alerts/notifier';
import { createLogger } from '../../src/adapters/logging/createLogger';
import type { ReconcileReport } from '../../src/application/reconcile/reconcileService';
import { ManualClock } from '../../src/domain/ports/clock';
import {
  DEFAULT_SWEEPER_SETTINGS,
  reconcileSweeperJob,
  sweepSubmitting,
  type SweeperDeps,
} from '../../src/jobs/reconcileSweeper';

const NOW = Date.parse('2025-05-01T12:00:00.000Z');
const logger = createLogger({ level: 'silent' });

type Outcome =
  | {
      action: ReconcileReport['action'];
      status: string;
      ageMs: number;
      attempts?: number;
      duplicateOrderIds?: string[];
    }
  | 'throw';

function fakeDeps(outcomes: Record<string, Outcome>, remaining?: () => number) {
  const calls: string[] = [];
  const notifier = new RecordingNotifier();
  const rounds: string[] = [];
  const deps: SweeperDeps = {
    pool: undefined as never,
    notifier,
    clock: new ManualClock(NOW),
    logger,
    ...(remaining ? { rateLimitRemaining: remaining } : {}),
    onRound: (action) => rounds.push(action),
    reconcile: {
      async reconcile(clientOrderId: string) {
        calls.push(clientOrderId);
        const outcome = outcomes[clientOrderId];
        if (outcome === undefined || outcome === 'throw') throw new Error('store down');
        return {
          action: outcome.action,
          reason: 'because',
          resent: false,
          ...(outcome.duplicateOrderIds ? { duplicateOrderIds: outcome.duplicateOrderIds } : {}),
          execution: {
            clientOrderId,
            userId: 'u1',
            market: 'BTC-EUR',
            status: outcome.status,
            reconcileAttempts: outcome.attempts ?? 1,
            submittingAt: new Date(NOW - outcome.ageMs).toISOString(),
            updatedAt: new Date(NOW).toISOString(),
            exchangeOrderId: outcome.duplicateOrderIds?.[0] ?? null,
          },
        } as unknown as ReconcileReport;
      },
    },
  };
  return { deps, calls, notifier, rounds };
}

describe('sweepSubmitting', () => {
  it('counts what each round did and alerts ops only about executions it cannot resolve', async () => {
    const { deps, notifier, rounds } = fakeDeps({
      a: { action: 'found', status: 'FILLED', ageMs: 20_000 },
      b: { action: 'not_found', status: 'SUBMITTING', ageMs: 30_000 },
      c: { action: 'lookup_error', status: 'SUBMITTING', ageMs: 11 * 60_000 },
      d: { action: 'attempts_exhausted', status: 'SUBMITTING', ageMs: 60_000, attempts: 20 },
      e: 'throw',
    });
    const summary = await sweepSubmitting(deps, DEFAULT_SWEEPER_SETTINGS, {
      nowMs: NOW,
      clientOrderIds: ['a', 'b', 'c', 'd', 'e'],
    });
    expect(summary).toEqual({
      listed: 5,
      rounds: 5,
      resolved: 1,
      stillSubmitting: 3,
      errors: 1,
      deferredForBudget: 0,
      actions: { found: 1, not_found: 1, lookup_error: 1, attempts_exhausted: 1 },
      unresolved: ['c', 'd'],
    });
    expect(rounds).toEqual(['found', 'not_found', 'lookup_error', 'attempts_exhausted', 'error']);
    expect(notifier.alerts.map((alert) => [alert.severity, alert.dedupeKey])).toEqual([
      ['warning', 'reconcile-unresolved:c'],
      ['critical', 'reconcile-unresolved:d'],
    ]);
  });

  it('raises a critical alert when a round finds several exchange orders for one clientOrderId', async () => {
    const { deps, notifier } = fakeDeps({
      a: { action: 'found', status: 'FILLED', ageMs: 20_000, duplicateOrderIds: ['order-1', 'order-2'] },
      b: { action: 'found', status: 'FILLED', ageMs: 20_000 },
    });
    await sweepSubmitting(deps, DEFAULT_SWEEPER_SETTINGS, { nowMs: NOW, clientOrderIds: ['a', 'b'] });
    expect(notifier.alerts).toHaveLength(1);
    expect(notifier.alerts[0]).toMatchObject({
      severity: 'critical',
      dedupeKey: 'duplicate-orders:a',
      fields: { clientOrderId: 'a', exchangeOrderIds: 'order-1,order-2' },
    });
    expect(notifier.alerts[0]?.text).toContain('order-1, order-2');
  });

  it('stops before the rate-limit floor, oldest first, and leaves the rest for a later run', async () => {
    let remaining = 165;
    const { deps, calls } = fakeDeps(
      {
        a: { action: 'found', status: 'FILLED', ageMs: 20_000 },
        b: { action: 'found', status: 'FILLED', ageMs: 20_000 },
        c: { action: 'found', status: 'FILLED', ageMs: 20_000 },
      },
      () => remaining,
    );
    const wrapped: SweeperDeps = {
      ...deps,
      reconcile: {
        reconcile: async (id, context) => {
          remaining -= 6;
          return deps.reconcile.reconcile(id, context);
        },
      },
    };
    const summary = await sweepSubmitting(wrapped, DEFAULT_SWEEPER_SETTINGS, {
      nowMs: NOW,
      clientOrderIds: ['a', 'b', 'c'],
    });
    // 165 → 159 → 153: a third round would leave 147, under the floor of 150.
    expect(calls).toEqual(['a', 'b']);
    expect(summary).toMatchObject({ rounds: 2, deferredForBudget: 1 });
  });

  it('stops between rounds when the run is aborted', async () => {
    const { deps, calls } = fakeDeps({ a: { action: 'found', status: 'FILLED', ageMs: 1 } });
    const abort = new AbortController();
    abort.abort();
    const summary = await sweepSubmitting(deps, DEFAULT_SWEEPER_SETTINGS, {
      nowMs: NOW,
      clientOrderIds: ['a'],
      signal: abort.signal,
    });
    expect(calls).toEqual([]);
    expect(summary.rounds).toBe(0);
  });
});

describe('reconcileSweeperJob: rounds that fail or are deferred do not starve the rest', () => {
  /** A read model of SUBMITTING rows, oldest first, answering the sweeper's two queries. */
  function fakePool(ids: readonly string[]) {
    return {
      async query(sql: string, params: unknown[]) {
        if (sql.includes('reconcile_attempts >= $1')) return { rows: [] };
        const limit = params[1] as number;
        return {
          rows: ids.slice(0, limit).map((id) => ({
            client_order_id: id,
            market: 'BTC-EUR',
            status: 'SUBMITTING',
            submitting_at: new Date(NOW - 60_000),
            updated_at: new Date(NOW - 60_000),
          })),
        };
      },
    } as unknown as pg.Pool;
  }

  it('ten executions whose rounds keep failing, or are deferred, leave room for the younger ones', async () => {
    const failing = Array.from({ length: 6 }, (_, i) => `failing-${i}`);
    const deferred = Array.from({ length: 4 }, (_, i) => `deferred-${i}`);
    const younger = ['younger-1', 'younger-2'];
    const calls: string[] = [];
    const clock = new ManualClock(NOW);
    const deps: SweeperDeps = {
      pool: fakePool([...failing, ...deferred, ...younger]),
      notifier: new RecordingNotifier(),
      clock,
      logger,
      reconcile: {
        async reconcile(clientOrderId: string) {
          calls.push(clientOrderId);
          if (clientOrderId.startsWith('failing')) throw new Error('policy stream unreadable');
          const deferredRound = clientOrderId.startsWith('deferred');
          return {
            action: deferredRound ? 'deferred' : 'not_found',
            reason: 'because',
            resent: false,
            ...(deferredRound ? { retryAtMs: clock.nowMs() + 60_000 } : {}),
            execution: {
              clientOrderId,
              market: 'BTC-EUR',
              status: 'SUBMITTING',
              reconcileAttempts: 1,
              submittingAt: new Date(NOW - 60_000).toISOString(),
              updatedAt: new Date(NOW - 60_000).toISOString(),
            },
          } as unknown as ReconcileReport;
        },
      },
    };
    const job = reconcileSweeperJob(deps, DEFAULT_SWEEPER_SETTINGS, 5_000);
    const run = (nowMs: number) =>
      job.run({ nowMs, signal: new AbortController().signal } as Parameters<typeof job.run>[0]);
    await run(NOW);
    expect(calls).toEqual([...failing, ...deferred]);
    calls.length = 0;
    clock.setMs(NOW + 5_000);
    await run(NOW + 5_000);
    // The deferred ones wait for their retryAt; the failing ones for 5 s × 2^failures: the younger
    // ones get a round.
    expect(calls).toEqual(expect.arrayContaining(younger));
    expect(calls.filter((id) => id.startsWith('deferred'))).toEqual([]);
    calls.length = 0;
    clock.setMs(NOW + 10_000);
    await run(NOW + 10_000);
    // Failed twice: held 10 s now.
    expect(calls.filter((id) => id.startsWith('failing'))).toEqual([]);
  });
});
