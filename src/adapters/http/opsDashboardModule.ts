import type { AppContext, AppModule } from '../../app';
import { storePendingProbe } from '../../projections/measureLag';
import type { ExchangeStatusView } from './dashboard/dashboardSchema';
import type { DashboardSources } from './dashboard/readDashboard';
import { registerDashboardRoutes } from './routes/dashboardRoutes';
import { registerOpsPageRoutes } from './routes/opsPageRoutes';

export interface OpsDashboardOptions {
  /** A SUBMITTING execution without an event for this long is flagged stale (default: the invariant's 10 min). */
  readonly staleAfterMs?: number;
  /** Exchange latency and budget; default: the client's own view of its budget, no latency. */
  readonly exchangeStatus?: (context: AppContext) => ExchangeStatusView | Promise<ExchangeStatusView>;
}

/** The exchange client's own view of its rate-limit budget (what the jobs' budget floors use too). */
export function clientExchangeStatus(context: AppContext): ExchangeStatusView {
  const limit = context.config.BITVAVO_RATE_LIMIT_PER_MIN;
  return {
    rateLimit: {
      remaining: context.exchange.client.rateLimitRemaining(),
      limit: limit > 0 ? limit : null,
      resetAt: null,
    },
    latency: [],
  };
}

/** `GET /ops` (the page, its script and styles, uPlot) and `GET /v1/ops/dashboard` (its data, ops only). */
export function opsDashboardModule(options: OpsDashboardOptions = {}): AppModule {
  return {
    name: 'ops-dashboard',
    async registerRoutes(server, context) {
      await registerOpsPageRoutes(server);
      const exchangeStatus = options.exchangeStatus ?? clientExchangeStatus;
      const sources: DashboardSources = {
        pool: context.pool,
        clock: context.clock,
        readKillSwitch: async () => (await context.services.control.read()).killSwitch,
        // On the PostgreSQL store the default counts pending events in SQL; EventStoreDB is asked.
        ...(context.config.EVENTSTORE_URL ? { pendingProbe: storePendingProbe(context.eventStore) } : {}),
        exchangeStatus: () => exchangeStatus(context),
        ...(options.staleAfterMs === undefined ? {} : { staleAfterMs: options.staleAfterMs }),
      };
      registerDashboardRoutes(server, sources);
    },
  };
}
