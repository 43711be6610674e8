import type { AppContext, AppModule } from '../../app';
import { storePendingProbe } from '../../projections/measureLag';
import type { LedgerMetrics } from '../metrics/ledgerMetrics';
import type { ExchangeStatusView } from './dashboard/dashboardSchema';
import { latencyFromHistogram } from './dashboard/exchangeStatusFromMetrics';
import type { DashboardSources } from './dashboard/readDashboard';
import { registerDashboardRoutes } from './routes/dashboardRoutes';
import { registerOpsPageRoutes } from './routes/opsPageRoutes';

export interface OpsDashboardOptions {
  /** The metrics whose exchange-latency histogram the page shows (the exchange client's hooks feed it). */
  readonly metrics?: LedgerMetrics;
  /** A SUBMITTING execution without an event for this long is flagged stale (default: the invariant's 10 min). */
  readonly staleAfterMs?: number;
  /** How long the chart and the 24 h recovery rate are reused between polls (default 10 s). */
  readonly windowCacheMs?: number;
}

/** Two polls of the page: the hourly chart and a 24-hour rate do not need fresher figures. */
const DEFAULT_WINDOW_CACHE_MS = 10_000;

/** The exchange client's own view of its rate-limit budget (what the jobs' budget floors use), and latency. */
async function exchangeStatus(
  context: AppContext,
  metrics: LedgerMetrics | undefined,
): Promise<ExchangeStatusView> {
  const limit = context.config.BITVAVO_RATE_LIMIT_PER_MIN;
  return {
    rateLimit: {
      remaining: context.exchange.client.rateLimitRemaining(),
      // 0 configures no local budget (a simulator without limits).
      limit: limit > 0 ? limit : null,
      resetAt: null,
    },
    latency: metrics ? await latencyFromHistogram(metrics.exchangeLatency) : [],
  };
}

/** `GET /ops` (the page, its script and styles, uPlot) and `GET /v1/ops/dashboard` (its data, ops only). */
export function opsDashboardModule(options: OpsDashboardOptions = {}): AppModule {
  return {
    name: 'ops-dashboard',
    async registerRoutes(server, context) {
      await registerOpsPageRoutes(server);
      const sources: DashboardSources = {
        pool: context.pool,
        clock: context.clock,
        readKillSwitch: async () => (await context.services.control.read()).killSwitch,
        // On the PostgreSQL store the default counts pending events in SQL; EventStoreDB is asked.
        ...(context.config.EVENTSTORE_URL ? { pendingProbe: storePendingProbe(context.eventStore) } : {}),
        exchangeStatus: () => exchangeStatus(context, options.metrics),
        ...(options.staleAfterMs === undefined ? {} : { staleAfterMs: options.staleAfterMs }),
        windowCacheMs: options.windowCacheMs ?? DEFAULT_WINDOW_CACHE_MS,
      };
      registerDashboardRoutes(server, sources);
    },
  };
}
