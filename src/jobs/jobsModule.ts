import type { AppContext, AppModule, BackgroundService } from '../app';
import { createNotifier } from '../adapters/alerts/createNotifier';
import type { Notifier } from '../adapters/alerts/notifier';
import { registerMetricsRoute } from '../adapters/http/routes/metricsRoute';
import { registerOpsJobsRoutes } from '../adapters/http/routes/opsJobsRoutes';
import { registerOpsPromotionsRoutes } from '../adapters/http/routes/opsPromotionsRoutes';
import { LedgerMetrics } from '../adapters/metrics/ledgerMetrics';
import { projectionLagSource } from '../adapters/metrics/projectionLag';
import { PromotionReviewService } from '../application/promotions/promotionReviewService';
import type { Clock } from '../domain/ports/clock';
import {
  DEFAULT_FILL_FOLLOWER_SETTINGS,
  FillFollower,
  fillFollowerJob,
  type FillFollowerSettings,
} from './fillFollower';
import { invariantsJob } from './invariantsJob';
import { promotionsJob } from './promotionsJob';
import {
  DEFAULT_SWEEPER_SETTINGS,
  reconcileSweeperJob,
  type SweeperDeps,
  type SweeperSettings,
} from './reconcileSweeper';
import { JobScheduler } from './scheduler/JobScheduler';
import {
  runStartupReconciliation,
  STARTUP_HOLD_NAME,
  type StartupReconciliationReport,
} from './startupReconciliation';
import { statsJob } from './statsJob';

export interface JobsModuleOptions {
  readonly metrics?: LedgerMetrics;
  /** Default: the webhook of ALERT_WEBHOOK_URL, or the log. */
  readonly notifier?: Notifier;
  /** The scheduler's clock (default: the app's). */
  readonly clock?: Clock;
  /** Run the scheduled jobs here (default: JOBS_ENABLED). API-only instances turn this off. */
  readonly schedulerEnabled?: boolean;
  /** Start the scheduler's timer with the app (default true; tests drive `handles.scheduler.tick()`). */
  readonly autoStartScheduler?: boolean;
  readonly startupReconciliation?: boolean;
  readonly startupMaxDurationMs?: number;
  readonly sweeper?: Partial<SweeperSettings>;
  readonly fills?: Partial<FillFollowerSettings> & { readonly everyMs?: number };
  readonly schedulerMaxSleepMs?: number;
  readonly instanceId?: string;
}

/** What the module built, for tests and tools. */
export interface JobsHandles {
  readonly metrics: LedgerMetrics;
  readonly notifier: Notifier;
  readonly review: PromotionReviewService;
  readonly fillFollower: FillFollower;
  /** `undefined` when the scheduler is off on this instance. */
  readonly scheduler: JobScheduler | undefined;
  /** Settles when start-up reconciliation is done (`null` when it did not run). */
  readonly startup: Promise<StartupReconciliationReport | null>;
}

export type JobsModule = AppModule & { readonly handles: () => JobsHandles };

/**
 * Jobs and operations (DESIGN §6): the scheduler (invariants, promotions, stats, reconcile sweeper,
 * fill follower) with its heartbeat, start-up reconciliation, alerts, the ops promotion and jobs
 * routes and GET /metrics.
 */
export function jobsModule(options: JobsModuleOptions = {}): JobsModule {
  let handles: JobsHandles | undefined;
  let resolveStartup: (report: StartupReconciliationReport | null) => void = () => undefined;
  const startup = new Promise<StartupReconciliationReport | null>((resolve) => (resolveStartup = resolve));
  let startupRun: Promise<unknown> | undefined;

  function build(context: AppContext): JobsHandles {
    const { config, pool, logger, services } = context;
    const clock = options.clock ?? context.clock;
    const metrics = options.metrics ?? new LedgerMetrics();
    const notifier = options.notifier ?? createNotifier(config, { logger, clock }).notifier;
    const review = new PromotionReviewService({ pool, policy: services.policy, notifier });
    const rateLimitRemaining = () => context.exchange.client.rateLimitRemaining();
    metrics.bind({
      pool,
      rateLimitRemaining,
      // The exchange client's budget runs on the app's clock.
      nowMs: () => context.clock.nowMs(),
      // Read afresh at every scrape (the service reads up to the stream's latest event).
      tradingControl: async () => {
        const state = await services.control.read();
        return { killSwitchEngaged: state.killSwitch.engaged, allowedMarkets: state.allowedMarkets.length };
      },
      projectionLag: projectionLagSource({
        pool,
        store: context.eventStore,
        storeIsPostgres: config.EVENTSTORE_URL === undefined,
        // Lag is measured against the events' store times: the app's clock, not the jobs' own.
        clock: context.clock,
      }),
    });
    const fillFollower = new FillFollower(
      {
        pool,
        repository: services.repository,
        exchange: context.exchange.exchange,
        clock,
        logger: logger.child({ job: 'fills' }),
        rateLimitRemaining,
      },
      { ...DEFAULT_FILL_FOLLOWER_SETTINGS, clockSkewMaxMs: config.CLOCK_SKEW_MAX_MS, ...options.fills },
    );
    const enabled = options.schedulerEnabled ?? config.JOBS_ENABLED;
    const scheduler = enabled
      ? new JobScheduler({
          pool,
          clock,
          logger: logger.child({ component: 'jobs' }),
          jobs: [
            invariantsJob({ pool, clock, notifier }),
            promotionsJob({ pool, policy: services.policy, notifier }),
            statsJob({ pool }),
            reconcileSweeperJob(
              sweeperDeps(context, clock, notifier, metrics, 'sweeper'),
              sweeperSettings(context),
              config.RECONCILE_INTERVAL_MS,
            ),
            fillFollowerJob(fillFollower, options.fills?.everyMs ?? config.RECONCILE_INTERVAL_MS),
          ],
          ...(options.schedulerMaxSleepMs === undefined ? {} : { maxSleepMs: options.schedulerMaxSleepMs }),
          ...(options.instanceId === undefined ? {} : { instanceId: options.instanceId }),
          onRun: (report) => {
            metrics.jobRuns.inc({ ledger_job: report.job, outcome: report.outcome });
            if (report.outcome === 'failed') {
              // Once an hour per job at most (the sweeper runs every few seconds).
              notifier.alertOps({
                severity: 'warning',
                title: `Job ${report.job} failed`,
                text: `${String(report.detail['error'] ?? 'no detail')}. It runs again on its schedule; job_runs has the history.`,
                dedupeKey: `job-failed:${report.job}`,
              });
            }
          },
        })
      : undefined;
    return { metrics, notifier, review, fillFollower, scheduler, startup };
  }

  function sweeperSettings(context: AppContext): SweeperSettings {
    return {
      ...DEFAULT_SWEEPER_SETTINGS,
      minAgeMs: context.config.RECONCILE_MIN_AGE_MS,
      maxReconcileAttempts: context.reconcileSettings.maxReconcileAttempts,
      ...options.sweeper,
    };
  }

  function sweeperDeps(
    context: AppContext,
    clock: Clock,
    notifier: Notifier,
    metrics: LedgerMetrics,
    source: string,
  ): SweeperDeps {
    return {
      pool: context.pool,
      reconcile: context.services.reconcile,
      notifier,
      clock,
      logger: context.logger.child({ job: `reconcile-${source}` }),
      rateLimitRemaining: () => context.exchange.client.rateLimitRemaining(),
      onRound: (action) => metrics.reconcileRounds.inc({ source, action }),
    };
  }

  return {
    name: 'jobs',
    handles() {
      if (handles === undefined) throw new Error('the jobs module is not registered yet');
      return handles;
    },
    registerRoutes(server, context) {
      const built = build(context);
      handles = built;
      registerOpsPromotionsRoutes(server, built.review);
      registerMetricsRoute(server, built.metrics);
      // Served by API-only instances too: it reads what the instances running the jobs wrote.
      registerOpsJobsRoutes(server, { pool: context.pool, clock: options.clock ?? context.clock });
      if (options.startupReconciliation === false) {
        resolveStartup(null);
        return;
      }
      // onListen runs right after the socket is bound, before any request is read: new submissions
      // are held from the very first one until start-up reconciliation is done.
      server.addHook('onListen', (done) => {
        const release = context.readiness.hold(STARTUP_HOLD_NAME);
        const clock = options.clock ?? context.clock;
        startupRun = runStartupReconciliation(
          {
            ...sweeperDeps(context, clock, built.notifier, built.metrics, 'startup'),
            readiness: context.readiness,
            store: context.eventStore,
          },
          sweeperSettings(context),
          {
            release,
            ...(options.startupMaxDurationMs === undefined
              ? {}
              : { maxDurationMs: options.startupMaxDurationMs }),
          },
        ).then(
          (report) => resolveStartup(report),
          (error: unknown) => {
            context.logger.error(
              { err: (error as Error).message },
              'start-up reconciliation failed; the sweeper will retry',
            );
            resolveStartup(null);
          },
        );
        done();
      });
    },
    backgroundServices(): BackgroundService[] {
      return [
        {
          name: 'job-scheduler',
          // Runs after the server listens (and start-up reconciliation began in onListen): the app
          // reports itself started once reconciliation is done, /readyz answering 503 meanwhile.
          // The sweeper starts after it, so the two do not look up the same executions at once.
          async start() {
            await startup;
            if (options.autoStartScheduler !== false) handles?.scheduler?.start();
          },
          async stop() {
            await startupRun;
            await handles?.scheduler?.stop();
            await handles?.notifier.close();
          },
        },
      ];
    },
  };
}
