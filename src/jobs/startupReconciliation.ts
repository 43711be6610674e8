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
    const found = await findStartupCandidates(deps.pool, deps.store, nowMs, options.maxExecutions ?? 1_000);
    const candidates = found.clientOrderIds;
    deps.logger.info(
      { executions: candidates.length, fromReadModel: found.fromReadModel, fromTail: found.fromTail },
      'start-up reconciliation: executions that may be SUBMITTING',
    );
    const summary = await sweepSubmitting(
      deps,
      // Everything found is looked at now, not only what the sweeper's per-run limit allows.
      { ...settings, minAgeMs: 0, maxPerRun: candidates.length },
      { nowMs, signal: deadline, clientOrderIds: candidates },
    );
    const completed = summary.rounds === candidates.length && !found.tailTruncated;
    const report = {
      ...summary,
      completed,
      tailTruncated: found.tailTruncated,
      durationMs: Date.now() - startedMs,
    };
    if (!completed) {
      deps.notifier.alertOps({
        severity: 'warning',
        title: 'Start-up reconciliation incomplete',
        text:
          `${summary.rounds} of ${candidates.length} possibly SUBMITTING executions looked at before accepting orders ` +
          `(time or rate-limit budget ran out${found.tailTruncated ? ', or the unprojected tail was too long' : ''}); ` +
          'the sweeper goes on with the rest.',
      });
    }
    deps.logger.info(report, 'start-up reconciliation done');
    return report;
  } finally {
    release();
  }
}
