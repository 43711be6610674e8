import type pg from 'pg';
import type { Logger } from 'pino';
import type { Notifier } from '../adapters/alerts/notifier';
import type { ReconcileService } from '../application/reconcile/reconcileService';
import type { Clock } from '../domain/ports/clock';
import { budgetAllows, type RateLimitRemaining } from './exchangeBudget';
import { listExhausted, listSubmitting } from './inFlightExecutions';
import type { JobDefinition, JobRunResult } from './scheduler/jobDefinition';

export const RECONCILE_JOB_NAME = 'reconcile';
export const SWEEPER_ACTOR = 'reconcile-sweeper';
/** GET /order (1) plus a possible GET /orders sweep (5): what one round may cost. */
export const ROUND_WEIGHT_POINTS = 6;

export interface SweeperSettings {
  /** Only executions whose intent is older than this (a younger one may still be in its own request). */
  readonly minAgeMs: number;
  /** Rounds per run at most. */
  readonly maxPerRun: number;
  /** Stop when fewer rate-limit points than this are left (orders keep what is under it). */
  readonly minRemainingPoints: number;
  /** An execution still SUBMITTING this long after its intent is reported to ops as unresolved. */
  readonly alertAfterMs: number;
  /** Lookups spaced per execution: base × 2^lookups after its last event, at most cap. */
  readonly backoffBaseMs: number;
  readonly backoffCapMs: number;
  /** The reconcile service's bound (ReconcileSettings.maxReconcileAttempts). */
  readonly maxReconcileAttempts: number;
}

export const DEFAULT_SWEEPER_SETTINGS: SweeperSettings = {
  minAgeMs: 10_000,
  maxPerRun: 10,
  minRemainingPoints: 150,
  // The stale-SUBMITTING invariant's threshold.
  alertAfterMs: 10 * 60_000,
  backoffBaseMs: 5_000,
  backoffCapMs: 5 * 60_000,
  maxReconcileAttempts: 20,
};

export interface SweeperDeps {
  readonly pool: pg.Pool;
  readonly reconcile: Pick<ReconcileService, 'reconcile'>;
  readonly notifier: Notifier;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly rateLimitRemaining?: RateLimitRemaining;
  /** Metrics: one call per round, with its action. */
  readonly onRound?: (action: string) => void;
  readonly actor?: string;
  /** Rounds that failed or were deferred, held back from the listing (the job keeps one per process). */
  readonly held?: HeldRounds;
}

/** Executions held back at most; a longer list is trimmed oldest hold first. */
export const MAX_HELD = 500;

/**
 * A round that throws or is deferred writes nothing, so its read-model row stays first in the
 * oldest-first list: ten of them would take every run's `maxPerRun` places and starve the younger
 * executions. Such an execution is held back until its `retryAtMs` (deferred) or for
 * `backoffBase × 2^failures`, at most `backoffCap` (failed); any other round lets it go.
 */
export class HeldRounds {
  private readonly holds = new Map<string, { untilMs: number; failures: number }>();

  /** The executions still held at `nowMs`. */
  heldAt(nowMs: number): Set<string> {
    const held = new Set<string>();
    for (const [clientOrderId, hold] of this.holds) if (hold.untilMs > nowMs) held.add(clientOrderId);
    return held;
  }

  failed(clientOrderId: string, nowMs: number, settings: SweeperSettings): void {
    const failures = (this.holds.get(clientOrderId)?.failures ?? 0) + 1;
    const waitMs = Math.min(settings.backoffCapMs, settings.backoffBaseMs * 2 ** Math.min(failures - 1, 30));
    this.set(clientOrderId, { untilMs: nowMs + waitMs, failures });
  }

  deferred(clientOrderId: string, untilMs: number): void {
    this.set(clientOrderId, { untilMs, failures: this.holds.get(clientOrderId)?.failures ?? 0 });
  }

  release(clientOrderId: string): void {
    this.holds.delete(clientOrderId);
  }

  private set(clientOrderId: string, hold: { untilMs: number; failures: number }): void {
    this.holds.delete(clientOrderId);
    this.holds.set(clientOrderId, hold);
    if (this.holds.size > MAX_HELD) {
      const oldest = this.holds.keys().next();
      if (!oldest.done) this.holds.delete(oldest.value);
    }
  }
}

export interface SweepSummary {
  readonly listed: number;
  readonly rounds: number;
  readonly resolved: number;
  readonly stillSubmitting: number;
  readonly errors: number;
  /** Left for a later run because the rate-limit budget ran low. */
  readonly deferredForBudget: number;
  readonly actions: Record<string, number>;
  readonly unresolved: string[];
}

const MAX_LISTED_IDS = 20;

/**
 * One pass: reconciles SUBMITTING executions oldest first, one round each, within the exchange's
 * rate-limit budget, and alerts ops about those it cannot resolve (attempts exhausted, or still
 * SUBMITTING past `alertAfterMs`). A failing round is logged and counted; the pass goes on.
 */
export async function sweepSubmitting(
  deps: SweeperDeps,
  settings: SweeperSettings,
  options: {
    readonly nowMs: number;
    readonly signal?: AbortSignal;
    readonly clientOrderIds?: readonly string[];
  },
): Promise<SweepSummary> {
  const held = deps.held?.heldAt(options.nowMs) ?? new Set<string>();
  const candidates =
    options.clientOrderIds ??
    (
      await listSubmitting(deps.pool, {
        submittedBeforeMs: options.nowMs - settings.minAgeMs,
        limit: settings.maxPerRun + held.size,
        maxReconcileAttempts: settings.maxReconcileAttempts,
        backoff: { nowMs: options.nowMs, baseMs: settings.backoffBaseMs, capMs: settings.backoffCapMs },
      })
    )
      .map((row) => row.clientOrderId)
      .filter((clientOrderId) => !held.has(clientOrderId))
      .slice(0, settings.maxPerRun);
  const actions: Record<string, number> = {};
  const unresolved: string[] = [];
  let rounds = 0;
  let resolved = 0;
  let stillSubmitting = 0;
  let errors = 0;
  let deferredForBudget = 0;
  const budget = {
    ...(deps.rateLimitRemaining === undefined ? {} : { remaining: deps.rateLimitRemaining }),
    minRemainingPoints: settings.minRemainingPoints,
  };
  for (const [index, clientOrderId] of candidates.entries()) {
    if (options.signal?.aborted) break;
    if (!budgetAllows(budget, ROUND_WEIGHT_POINTS)) {
      deferredForBudget = candidates.length - index;
      deps.logger.warn(
        { deferred: deferredForBudget },
        'reconcile sweep paused: exchange rate-limit budget is low',
      );
      break;
    }
    rounds += 1;
    try {
      const report = await deps.reconcile.reconcile(clientOrderId, { actor: deps.actor ?? SWEEPER_ACTOR });
      if (report.action === 'deferred' && report.retryAtMs !== undefined)
        deps.held?.deferred(clientOrderId, report.retryAtMs);
      else deps.held?.release(clientOrderId);
      actions[report.action] = (actions[report.action] ?? 0) + 1;
      deps.onRound?.(report.action);
      const execution = report.execution;
      if (report.duplicateOrderIds) alertDuplicates(deps, execution, report.duplicateOrderIds);
      if (execution.status !== 'SUBMITTING') {
        resolved += 1;
        continue;
      }
      stillSubmitting += 1;
      const intentAtMs = Date.parse(execution.submittingAt ?? execution.updatedAt);
      const ageMs = deps.clock.nowMs() - intentAtMs;
      if (report.action === 'attempts_exhausted' || ageMs >= settings.alertAfterMs) {
        if (unresolved.length < MAX_LISTED_IDS) unresolved.push(execution.clientOrderId);
        alertUnresolved(deps, {
          clientOrderId: execution.clientOrderId,
          market: execution.market,
          exhausted: report.action === 'attempts_exhausted',
          why: `still SUBMITTING after ${Math.round(ageMs / 1000)} s and ${execution.reconcileAttempts} lookups: ${report.reason}`,
        });
      }
    } catch (error) {
      errors += 1;
      deps.held?.failed(clientOrderId, deps.clock.nowMs(), settings);
      deps.onRound?.('error');
      deps.logger.error({ clientOrderId, err: (error as Error).message }, 'reconcile round failed');
    }
  }
  // Executions out of lookups are not rounds any more (they would crowd the oldest-first list):
  // ops hear about them (once an hour each, by the notifier's dedupe) until someone resolves them.
  if (options.clientOrderIds === undefined) {
    const exhausted = await listExhausted(deps.pool, settings.maxReconcileAttempts, MAX_LISTED_IDS);
    for (const row of exhausted) {
      if (unresolved.length < MAX_LISTED_IDS && !unresolved.includes(row.clientOrderId))
        unresolved.push(row.clientOrderId);
      alertUnresolved(deps, {
        clientOrderId: row.clientOrderId,
        market: row.market,
        exhausted: true,
        why: `${settings.maxReconcileAttempts} lookups recorded without an answer that settles it`,
      });
    }
  }
  return {
    listed: candidates.length,
    rounds,
    resolved,
    stillSubmitting,
    errors,
    deferredForBudget,
    actions,
    unresolved,
  };
}

/** The one thing the ledger promises never happens: ops must cancel the extra order by hand. */
function alertDuplicates(
  deps: SweeperDeps,
  execution: { clientOrderId: string; market: string; exchangeOrderId: string | null },
  exchangeOrderIds: readonly string[],
): void {
  deps.notifier.alertOps({
    severity: 'critical',
    title: `${exchangeOrderIds.length} exchange orders carry clientOrderId ${execution.clientOrderId}`,
    text:
      `The sweep listed orders ${exchangeOrderIds.join(', ')} for one execution; the ledger follows ` +
      `${execution.exchangeOrderId ?? 'none of them'}. Check them on the exchange and cancel what should not be there.`,
    dedupeKey: `duplicate-orders:${execution.clientOrderId}`,
    fields: {
      clientOrderId: execution.clientOrderId,
      market: execution.market,
      exchangeOrderIds: exchangeOrderIds.join(','),
    },
  });
}

function alertUnresolved(
  deps: SweeperDeps,
  execution: { clientOrderId: string; market: string; exhausted: boolean; why: string },
): void {
  deps.notifier.alertOps({
    severity: execution.exhausted ? 'critical' : 'warning',
    title: `Execution ${execution.clientOrderId} cannot be reconciled`,
    text:
      `${execution.why}. Check the order on the exchange and resolve it ` +
      '(POST /v1/executions/:id/reconcile, or abandon it with a note).',
    dedupeKey: `reconcile-unresolved:${execution.clientOrderId}`,
    fields: { clientOrderId: execution.clientOrderId, market: execution.market },
  });
}

/** The sweeper as a scheduled job: every RECONCILE_INTERVAL_MS (5 s by default). */
export function reconcileSweeperJob(
  deps: SweeperDeps,
  settings: SweeperSettings,
  everyMs: number,
): JobDefinition {
  const withHeld: SweeperDeps = { ...deps, held: deps.held ?? new HeldRounds() };
  return {
    name: RECONCILE_JOB_NAME,
    schedule: { everyMs },
    async run(context): Promise<JobRunResult> {
      const summary = await sweepSubmitting(withHeld, settings, {
        nowMs: context.nowMs,
        signal: context.signal,
      });
      if (summary.rounds > 0 && summary.errors === summary.rounds) {
        throw new Error(`every reconcile round failed (${summary.errors}); see the log`);
      }
      return { detail: { ...summary }, idle: summary.listed === 0 };
    },
  };
}
