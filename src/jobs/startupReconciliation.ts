import type { Readiness } from '../application/readiness';
import type { EventStore } from '../domain/ports/eventStore';
import {
  sweepSubmitting,
  type SweepSummary,
  type SweeperDeps,
  type SweeperSettings,
} from './reconcileSweeper';
import { findStartupCandidates } from './startupCandidates';

export const STARTUP_HOLD_NAME = 'startup-reconciliation';

export interface StartupReconciliationOptions {
  /** Executions looked at, at most (the rest are the sweeper's). Default 1000. */
  readonly maxExecutions?: number;
  /** Stop holding submissions after this long; the sweeper carries on. Default 60 s. */
  readonly maxDurationMs?: number;
  /** The hold already taken by the caller (taken here otherwise). */
  readonly release?: () => void;
}

export interface StartupReconciliationReport extends SweepSummary {
  readonly completed: boolean;
  readonly durationMs: number;
  readonly tailTruncated: boolean;
  /** Executions that may be SUBMITTING beyond `maxExecutions`, not looked at: the sweeper's. */
  readonly leftToSweeper: number;
}

/**
 * Before the API takes a new order: one reconcile round for every execution that may be SUBMITTING,
 * whatever its age (a crash may have left sends whose outcome nobody recorded). Submissions are held
 * (`/readyz` 503, POST /v1/executions 503 NOT_READY) until it is done or `maxDurationMs` passed; what
 * it could not resolve stays SUBMITTING for the sweeper and ops.
 */
export async function runStartupReconciliation(
  deps: SweeperDeps & { readonly readiness: Readiness; readonly store: EventStore },
  settings: SweeperSettings,
  options: StartupReconciliationOptions = {},
): Promise<StartupReconciliationReport> {
  const release = options.release ?? deps.readiness.hold(STARTUP_HOLD_NAME);
  const startedMs = Date.now();
  const deadline = AbortSignal.timeout(options.maxDurationMs ?? 60_000);
  try {
    const nowMs = deps.clock.nowMs();
    const maxExecutions = options.maxExecutions ?? 1_000;
    const found = await findStartupCandidates(deps.pool, deps.store, nowMs, maxExecutions);
    const candidates = found.clientOrderIds;
    deps.logger.info(
      { executions: candidates.length, fromReadModel: found.fromReadModel, fromTail: found.fromTail },
      'start-up reconciliation: executions that may be SUBMITTING',
    );
    if (found.leftToSweeper > 0) {
      deps.logger.warn(
        { leftToSweeper: found.leftToSweeper, maxExecutions },
        'start-up reconciliation: more executions may be SUBMITTING than it looks at; the rest are left to the sweeper',
      );
    }
    const summary = await sweepSubmitting(
      deps,
      // Everything found is looked at now, not only what the sweeper's per-run limit allows.
      { ...settings, minAgeMs: 0, maxPerRun: candidates.length },
      { nowMs, signal: deadline, clientOrderIds: candidates },
    );
    const completed =
      summary.rounds === candidates.length && !found.tailTruncated && found.leftToSweeper === 0;
    const report = {
      ...summary,
      completed,
      tailTruncated: found.tailTruncated,
      leftToSweeper: found.leftToSweeper,
      durationMs: Date.now() - startedMs,
    };
    if (!completed) {
      const why = [
        ...(summary.rounds < candidates.length ? ['time or rate-limit budget ran out'] : []),
        ...(found.leftToSweeper > 0 ? [`more than the ${maxExecutions} it looks at were found`] : []),
        ...(found.tailTruncated ? ['the unprojected tail was too long'] : []),
      ];
      deps.notifier.alertOps({
        severity: 'warning',
        title: 'Start-up reconciliation incomplete',
        text:
          `${summary.rounds} of ${candidates.length + found.leftToSweeper} possibly SUBMITTING executions looked at before accepting orders ` +
          `(${why.join('; ')}); the sweeper goes on with the rest.`,
      });
    }
    deps.logger.info(report, 'start-up reconciliation done');
    return report;
  } finally {
    release();
  }
}
