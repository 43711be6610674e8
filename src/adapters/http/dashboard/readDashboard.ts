import type pg from 'pg';
import type { KillSwitchState } from '../../../domain/control';
import type { Clock } from '../../../domain/ports/clock';
import { readCheckpoint } from '../../../projections/checkpoints';
import { postgresPendingProbe, type PendingProbe } from '../../../projections/measureLag';
import { allProjections } from '../../../projections/registry';
import {
  readExecutionsPerHour,
  readInvariants,
  readPromotions,
  readRecovery,
  readSubmitting,
} from './dashboardQueries';
import type { Dashboard, ExchangeStatusView, ProjectionLagView } from './dashboardSchema';
import { readJobs } from './readJobs';

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
  /**
   * How long the 48-hour chart and the 24-hour recovery rate may be reused (default 0: read every
   * time). They scan a day or two of executions, the rest is index probes; every page open on an
   * instance shares one scan per period, and the live cards (kill switch, in flight, invariants,
   * promotions, jobs, lag) stay exact.
   */
  readonly windowCacheMs?: number;
}

type WindowFigures = readonly [Dashboard['recovery'], Dashboard['executionsPerHour']];

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

/** One snapshot for the operations page (no cache). */
export function readDashboard(sources: DashboardSources): Promise<Dashboard> {
  return dashboardReader(sources)();
}

/** A reader that keeps the window figures for `windowCacheMs` (one per route, shared by all callers). */
export function dashboardReader(sources: DashboardSources): () => Promise<Dashboard> {
  let cached: { readonly atMs: number; readonly figures: Promise<WindowFigures> } | undefined;
  const windowFigures = (nowMs: number): Promise<WindowFigures> => {
    const ttlMs = sources.windowCacheMs ?? 0;
    if (cached !== undefined && nowMs - cached.atMs < ttlMs && nowMs >= cached.atMs) return cached.figures;
    const figures = Promise.all([
      readRecovery(sources.pool, nowMs),
      readExecutionsPerHour(sources.pool, nowMs),
    ] as const);
    const entry = { atMs: nowMs, figures };
    cached = entry;
    // A failed read is not kept: the next poll tries again.
    figures.catch(() => {
      if (cached === entry) cached = undefined;
    });
    return figures;
  };
  return () => readSnapshot(sources, windowFigures);
}

/** Every card's data, read in parallel. */
async function readSnapshot(
  sources: DashboardSources,
  windowFigures: (nowMs: number) => Promise<WindowFigures>,
): Promise<Dashboard> {
  const nowMs = sources.clock.nowMs();
  const { pool } = sources;
  const probe = sources.pendingProbe ?? postgresPendingProbe(pool, PENDING_COUNT_CAP);
  const [
    killSwitch,
    [recovery, executionsPerHour],
    invariants,
    submitting,
    promotions,
    jobs,
    projections,
    exchange,
  ] = await Promise.all([
    sources.readKillSwitch(),
    windowFigures(nowMs),
    readInvariants(pool, nowMs),
    readSubmitting(pool, nowMs, sources.staleAfterMs ?? DEFAULT_STALE_AFTER_MS),
    readPromotions(pool),
    readJobs(pool, nowMs),
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
