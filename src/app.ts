import type pg from 'pg';
import type { Logger } from 'pino';
import { InFlightWork } from './application/inFlightWork';
import { Readiness } from './application/readiness';
import { lastRevisionOf } from './application/streams/readStreamEvents';
import { createEventStore } from './adapters/eventstore/createEventStore';
import {
  connectExchange,
  type ConnectedExchange,
  type ExchangeOverrides,
} from './adapters/exchange/connectExchange';
import { buildServer, type AppServer } from './adapters/http/buildServer';
import { projectionsModule } from './adapters/http/projectionsModule';
import { registerApiKeyRoutes } from './adapters/http/routes/apiKeyRoutes';
import { registerExecutionRoutes } from './adapters/http/routes/executionRoutes';
import { registerHealthRoutes } from './adapters/http/routes/healthRoutes';
import { registerTradingControlRoutes } from './adapters/http/routes/tradingControlRoutes';
import { registerUserPolicyRoutes } from './adapters/http/routes/userPolicyRoutes';
import { createLogger } from './adapters/logging/createLogger';
import { systemClock } from './adapters/clock/systemClock';
import { createPool } from './adapters/postgres/createPool';
import { migrate } from './adapters/postgres/migrate';
import { openDatabase } from './adapters/postgres/openDatabase';
import type { Config } from './config';
import { buildServices, type AppServices } from './appServices';
import { TRADING_CONTROL_STREAM_ID } from './domain/control';
import type { Clock } from './domain/ports/clock';
import type { EventStore } from './domain/ports/eventStore';
import { DEFAULT_RECONCILE_SETTINGS, type ReconcileSettings } from './domain/reconcile';

/**
 * The composition root: builds the adapters from the config and hands them to the services and routes.
 *
 * HOW TO EXTEND (other parts of the app): write an `AppModule` and add it to `modules` in `createApp`
 * below (or pass it in `overrides.modules` from a test). A module may
 * - register routes (`registerRoutes(server, context)`; guard them with `requireRole` from
 *   src/adapters/http/auth, mark public ones with `config: { public: true }`),
 * - contribute background services (`backgroundServices(context)`): started in order after the server
 *   listens, stopped in reverse order before the pool closes,
 * - add readiness checks or hold submissions during start-up via `context.readiness`.
 */
export type { AppServices } from './appServices';

export interface BackgroundService {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface AppContext {
  readonly config: Config;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly pool: pg.Pool;
  readonly eventStore: EventStore;
  readonly exchange: ConnectedExchange;
  readonly services: AppServices;
  readonly readiness: Readiness;
  readonly reconcileSettings: ReconcileSettings;
}

export interface AppModule {
  readonly name: string;
  registerRoutes?(server: AppServer, context: AppContext): void | Promise<void>;
  backgroundServices?(context: AppContext): readonly BackgroundService[];
}

export interface AppOverrides {
  /** Use this pool (tests); the app does not close it. */
  readonly pool?: pg.Pool;
  /** Or connect here (the app owns and closes that pool). Neither: DATABASE_URL or the embedded database. */
  readonly connectionString?: string;
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** Apply sql/ migrations at start (default true). */
  readonly migrate?: boolean;
  readonly exchange?: ExchangeOverrides;
  readonly reconcileSettings?: Partial<ReconcileSettings>;
  /** Market data and balance book freshness (defaults: ticker 1 s, rules 60 s, balance 5 s). */
  readonly tickerTtlMs?: number;
  readonly marketRulesTtlMs?: number;
  readonly balanceMaxAgeMs?: number;
  readonly modules?: readonly AppModule[];
  readonly onDatabaseMessage?: (line: string) => void;
}

export interface App {
  readonly server: AppServer;
  readonly services: AppServices;
  readonly context: AppContext;
  /** Listens on HOST:PORT (PORT 0 picks a free port), then starts the background services. */
  start(): Promise<{ url: string }>;
  /** Graceful: requests in flight finish, background services stop, then the pool, then the embedded database. */
  stop(): Promise<void>;
}

const SHUTDOWN_GRACE_MS = 15_000;

/** The Command API itself: health, executions, kill switch, markets, user policies, API keys. */
const commandApiModule: AppModule = {
  name: 'command-api',
  registerRoutes(server, context) {
    const { services } = context;
    registerHealthRoutes(server, context.readiness);
    registerExecutionRoutes(server, services);
    registerTradingControlRoutes(server, services.control);
    registerUserPolicyRoutes(server, services.policy);
    registerApiKeyRoutes(server, services.keys);
  },
};

async function openPool(config: Config, overrides: AppOverrides, logger: Logger) {
  if (overrides.pool) return { pool: overrides.pool, close: async () => undefined };
  const onPoolError = (error: Error) => logger.warn({ err: error }, 'idle database connection lost');
  if (overrides.connectionString) {
    const pool = createPool({
      connectionString: overrides.connectionString,
      maxConnections: config.DATABASE_POOL_MAX,
      onError: onPoolError,
    });
    return { pool, close: () => pool.end().catch(() => undefined) };
  }
  const database = await openDatabase(config, {
    onPoolError,
    ...(overrides.onDatabaseMessage ? { onMessage: overrides.onDatabaseMessage } : {}),
  });
  return { pool: database.pool, close: () => database.close() };
}

function addCoreReadinessChecks(context: AppContext): void {
  const { readiness, pool, eventStore, exchange } = context;
  readiness.addCheck({ name: 'database', check: async () => void (await pool.query('SELECT 1')) });
  readiness.addCheck({
    name: 'eventStore',
    check: async () => void (await lastRevisionOf(eventStore, TRADING_CONTROL_STREAM_ID)),
  });
  readiness.addCheck({ name: 'exchange', check: () => exchange.checkReachable() });
}

export async function createApp(config: Config, overrides: AppOverrides = {}): Promise<App> {
  const logger = overrides.logger ?? createLogger({ level: config.LOG_LEVEL });
  const clock = overrides.clock ?? systemClock;
  const closers: { name: string; close: () => Promise<unknown> }[] = [];
  const closeAll = async () => {
    for (const closer of closers.splice(0).reverse()) {
      await closer
        .close()
        .catch((error: unknown) => logger.warn({ err: error, part: closer.name }, 'close failed'));
    }
  };
  try {
    const database = await openPool(config, overrides, logger);
    closers.push({ name: 'database', close: database.close });
    if (overrides.migrate ?? true) await migrate(database.pool);
    const eventStore = createEventStore(config, database.pool);
    closers.push({ name: 'eventStore', close: () => eventStore.close() });
    const exchange = await connectExchange(config, logger, clock, overrides.exchange ?? {});
    closers.push({ name: 'exchange', close: () => exchange.close() });
    const reconcileSettings: ReconcileSettings = {
      ...DEFAULT_RECONCILE_SETTINGS,
      accessWindowMs: config.BITVAVO_ACCESS_WINDOW_MS,
      clockSkewMaxMs: config.CLOCK_SKEW_MAX_MS,
      softRetryDelayMs: config.RECONCILE_SOFT_RETRY_DELAY_MS,
      ...overrides.reconcileSettings,
    };
    const readiness = new Readiness();
    const base = { config, logger, clock, pool: database.pool, eventStore, exchange, reconcileSettings };
    const context: AppContext = { ...base, readiness, services: buildServices(base, readiness, overrides) };
    addCoreReadinessChecks(context);
    // Revocations (from the API, the CLI or another instance) clear the key cache at once.
    const keys = context.services.keys;
    closers.push({ name: 'apiKeyListener', close: () => keys.close() });
    await keys.watchRevocations({ logger: logger.child({ component: 'api-keys' }) });

    const inFlight = new InFlightWork();
    const server = await buildServer({
      logger,
      inFlight,
      keys: context.services.keys,
      rateLimitPerMin: config.API_RATE_LIMIT_PER_MIN,
    });
    // Add modules here (projections: issue 5, jobs: issue 6, dashboard: issue 9).
    const modules: AppModule[] = [
      commandApiModule,
      projectionsModule({ runProjections: config.PROJECTIONS_ENABLED }),
      ...(overrides.modules ?? []),
    ];
    for (const module of modules) await module.registerRoutes?.(server, context);
    const background = modules.flatMap((module) => module.backgroundServices?.(context) ?? []);
    return assemble(server, context, background, inFlight, closeAll);
  } catch (error) {
    await closeAll();
    throw error;
  }
}

function assemble(
  server: AppServer,
  context: AppContext,
  background: readonly BackgroundService[],
  inFlight: InFlightWork,
  closeAll: () => Promise<void>,
): App {
  const { logger, config } = context;
  const started: BackgroundService[] = [];
  let stopping: Promise<void> | undefined;
  return {
    server,
    services: context.services,
    context,
    async start() {
      const address = await server.listen({ host: config.HOST, port: config.PORT });
      for (const service of background) {
        await service.start();
        started.push(service);
      }
      logger.info({ url: address }, 'trade-ledger listening');
      return { url: address };
    },
    stop() {
      stopping ??= (async () => {
        // Requests in flight get this long to finish; then their connections are cut.
        const grace = setTimeout(() => server.server.closeAllConnections(), SHUTDOWN_GRACE_MS);
        grace.unref();
        await server.close();
        clearTimeout(grace);
        // Handlers whose client hung up still run (maybe between intent and outcome): let them finish.
        if (!(await inFlight.drain(SHUTDOWN_GRACE_MS))) {
          logger.warn(
            { running: inFlight.count() },
            'requests still running after the shutdown grace period',
          );
        }
        for (const service of started.splice(0).reverse()) {
          await service
            .stop()
            .catch((error: unknown) => logger.warn({ err: error, service: service.name }, 'stop failed'));
        }
        await closeAll();
      })();
      return stopping;
    },
  };
}
