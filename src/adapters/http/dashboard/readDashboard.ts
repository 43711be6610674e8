import type pg from 'pg';
import type { KillSwitchState } from '../../../domain/control';
import type { Clock } from '../../../domain/ports/clock';
import { readCheckpoint } from '../../../projections/checkpoints';
import { postgresPendingProbe, type PendingProbe } from '../../../projections/measureLag';
import { allProjections } from '../../../projections/registry';
import {
  readExecutionsPerHour,
  readInvariants,
  readJobs,
  readPromotions,
  readRecovery,
  readSubmitting,
} from './dashboardQueries';
import type { Dashboard, ExchangeStatusView, ProjectionLagView } from './dashboardSchema';

/** The invariant's own threshold (check_no_stale_submitting's default, sql/003). */
export const DEFAULT_STALE_AFTER_MS = 10 * 60_000;
/** Counting pending events stops here: "more than 100,000 behind" is all an operator needs. */
const PENDING_COUNT_CAP = 100_000;

export interface DashboardSources {
  readonly pool: pg.Pool;
  readonly clock: Clock;
  /** The kill switch as the gates see it (read from the `trading-control` stream, never cached). */
  readonly readKillSwitch: () => Promise<KillSwitchState>;
  /** How many events each projection still has to apply; default: counted in the PostgreSQL store. */
  readonly pendingProbe?: PendingProbe;
  /** Exchange latency and rate-limit budget, from the metrics; absent: nothing measured. */
  readonly exchangeStatus?: () => ExchangeStatusView | Promise<ExchangeStatusView>;
  /** A SUBMITTING execution without an event for this long is stale (default 10 minutes). */
  readonly staleAfterMs?: number;
}

async function readProjectionLag(
  pool: pg.Pool,
  probe: PendingProbe,
  nowMs: number,
): Promise<ProjectionLagView[]> {
  return Promise.all(
    allProjections().map(async (projection) => {
      const checkpoint = await readCheckpoint(pool, projection.name);
      const pending = await probe(checkpoint.position, projection.streamPrefixes);
      return {
        name: projection.name,
        lagMs: pending.oldestCreatedAt === null ? 0 : Math.max(0, nowMs - pending.oldestCreatedAt.getTime()),
        eventsBehind: pending.events,
        lastEventAt: checkpoint.lastEventAt?.toISOString() ?? null,
        updatedAt: checkpoint.updatedAt?.toISOString() ?? null,
      };
    }),
  );
}

/** One snapshot for the operations page: every card's data, read in parallel. */
export async function readDashboard(sources: DashboardSources): Promise<Dashboard> {
  const nowMs = sources.clock.nowMs();
  const { pool } = sources;
  const probe = sources.pendingProbe ?? postgresPendingProbe(pool, PENDING_COUNT_CAP);
  const [
    killSwitch,
    recovery,
    executionsPerHour,
    invariants,
    submitting,
    promotions,
    jobs,
    projections,
    exchange,
  ] = await Promise.all([
    sources.readKillSwitch(),
    readRecovery(pool, nowMs),
    readExecutionsPerHour(pool, nowMs),
    readInvariants(pool, nowMs),
    readSubmitting(pool, nowMs, sources.staleAfterMs ?? DEFAULT_STALE_AFTER_MS),
    readPromotions(pool),
    readJobs(pool),
    readProjectionLag(pool, probe, nowMs),
    sources.exchangeStatus?.() ?? { rateLimit: null, latency: [] },
  ]);
  return {
    generatedAt: new Date(nowMs).toISOString(),
    killSwitch: {
      engaged: killSwitch.engaged,
      reason: killSwitch.reason,
      changedBy: killSwitch.changedBy,
      changedAt: killSwitch.changedAt,
    },
    recovery,
    executionsPerHour,
    invariants,
    submitting,
    promotions,
    jobs,
    projections,
    exchange,
  };
}
