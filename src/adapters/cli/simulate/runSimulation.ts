import pino, { type Logger } from 'pino';
import { createApp } from '../../../app';
import type { Config } from '../../../config';
import type { ExecutionState } from '../../../domain/execution';
import { ManualClock } from '../../../domain/ports/clock';
import { startSimulator } from '../../exchange/simulator/startSimulator';
import { openDatabase, type OpenDatabase } from '../../postgres/openDatabase';
import { runSqlInvariants, type SqlInvariantResult } from '../invariants/runSqlInvariants';
import { FaultInjectingExchange, type FaultCounts } from './faultInjectingExchange';
import { FaultSignals } from './faultSignals';
import { SimulationDriver, type DriverCounts } from './simulationDriver';
import { burstsOf, planSimulation, SIMULATION_USERS } from './simulationPlan';
import { completeScan, fetchSimOrders, readModelCounts } from './simulationEvidence';
import { computeStagingMetrics, runFingerprint, type StagingMetric } from './stagingMetrics';
import { createThrowawayDatabase, withoutPassword, type ThrowawayDatabase } from './throwawayDatabase';

export interface SimulateOptions {
  readonly executions: number;
  readonly concurrency: number;
  readonly faultRate: number;
  readonly seed: number;
  readonly hours: number;
  /** `throwaway`: a fresh database on the configured server, dropped afterwards; `configured`: the configured one. */
  readonly database: 'throwaway' | 'configured';
  readonly keepDatabase: boolean;
  readonly clientTimeoutMs: number;
  readonly logger?: Logger;
  readonly onProgress?: (
    phase: 'submitting' | 'reconciling' | 'checking',
    done: number,
    total: number,
  ) => void;
}

export interface SimulationReport {
  readonly seed: number;
  readonly executions: number;
  readonly concurrency: number;
  readonly faultRate: number;
  readonly hours: number;
  readonly virtualStart: string;
  readonly virtualEnd: string;
  readonly wallMs: number;
  readonly driver: DriverCounts;
  readonly driverErrors: readonly string[];
  readonly faults: FaultCounts;
  readonly finalStatuses: Record<string, number>;
  readonly metrics: readonly StagingMetric[];
  readonly fingerprint: string;
  readonly database: { readonly name: string; readonly url: string; readonly kept: boolean };
  readonly ok: boolean;
}

/** Plenty for thousands of small orders, so that balance refusals do not drown the faults under test. */
const SIMULATION_BALANCES = { EUR: '10000000', BTC: '1000', ETH: '10000', SOL: '0' } as const;
const RECONCILE_INTERVAL_MS = 5_000;
const MAX_QUIESCENCE_MS = 6 * 3_600_000;

/**
 * `ledger simulate`: the checklist's staging run in accelerated (virtual) time. The app runs
 * in-process (createApp, with its projections) on a throwaway database by default, against an
 * in-process simulator sharing the virtual clock; faults are scripted per call (see faultPlan.ts);
 * afterwards reconciliation runs to quiescence and the five staging metrics are computed from the
 * event store, the read models and the simulator's own order book.
 */
export async function runSimulation(config: Config, options: SimulateOptions): Promise<SimulationReport> {
  const wallStart = Date.now();
  const logger = options.logger ?? pino({ level: 'silent' });
  const hourMs = 3_600_000;
  // Virtual time ends about an hour before the real now, so that SQL checks using now() agree with it.
  const startMs = Math.floor((Date.now() - (options.hours + 2) * hourMs) / hourMs) * hourMs;
  const clock = new ManualClock(startMs);
  const planned = planSimulation({ ...options, startMs });
  const cleanups: (() => Promise<unknown>)[] = [];
  const cleanup = async () => {
    for (const step of cleanups.splice(0).reverse()) await step().catch(() => undefined);
  };
  try {
    const admin: OpenDatabase = await openDatabase(config, { onMessage: (line) => logger.info(line) });
    cleanups.push(() => admin.close());
    let throwaway: ThrowawayDatabase | undefined;
    if (options.database === 'throwaway') {
      throwaway = await createThrowawayDatabase(admin.pool, admin.connectionString, `s${options.seed}`);
      const created = throwaway;
      if (!options.keepDatabase) cleanups.push(() => created.drop());
    }
    const connectionString = throwaway?.connectionString ?? admin.connectionString;

    const signals = new FaultSignals();
    const simulator = await startSimulator({
      port: 0,
      host: '127.0.0.1',
      seed: options.seed,
      apiKey: config.BITVAVO_API_KEY,
      apiSecret: config.BITVAVO_API_SECRET,
      rateLimitPerMin: config.BITVAVO_RATE_LIMIT_PER_MIN,
      faultRate: 0,
      priceDrift: false,
      initialBalances: SIMULATION_BALANCES,
      maxHoldMs: options.clientTimeoutMs + 1_000,
      clock,
      logger: pino({ level: 'info' }, signals.destination),
    });
    cleanups.push(() => simulator.close());

    let injector: FaultInjectingExchange | undefined;
    const appConfig: Config = {
      ...config,
      EXCHANGE: 'simulated',
      BITVAVO_API_URL: simulator.url,
      BITVAVO_TIMEOUT_MS: options.clientTimeoutMs,
      JOBS_ENABLED: false,
      HOST: '127.0.0.1',
      PORT: 0,
      ...(throwaway === undefined ? {} : { DATABASE_URL: connectionString, EVENTSTORE_URL: undefined }),
    };
    const app = await createApp(appConfig, {
      connectionString,
      clock,
      migrate: true,
      logger,
      exchange: {
        client: { timeSyncIntervalMs: 0 },
        wrap: (client) => {
          injector = new FaultInjectingExchange(client, {
            plan: {
              seed: options.seed,
              faultRate: options.faultRate,
              clientTimeoutMs: options.clientTimeoutMs,
            },
            controlUrl: simulator.controlUrl,
            signals,
          });
          return injector;
        },
      },
    });
    cleanups.push(() => app.stop());
    await app.start();
    if (injector === undefined) throw new Error('the app did not take the fault-injecting exchange');

    for (let user = 1; user <= SIMULATION_USERS; user++) {
      await app.services.policy.execute(`sim-user-${user}`, [
        { type: 'EnableTrading', actor: 'simulate', reason: 'staging run' },
      ]);
    }

    const driver = new SimulationDriver(app.services, clock, injector, {
      concurrency: options.concurrency,
      reconcileIntervalMs: RECONCILE_INTERVAL_MS,
      reconcileMinAgeMs: config.RECONCILE_MIN_AGE_MS,
      maxQuiescenceMs: MAX_QUIESCENCE_MS,
    });
    let submitted = 0;
    for (const burst of burstsOf(planned)) {
      await driver.runBurst(burst, () => options.onProgress?.('submitting', ++submitted, planned.length));
    }
    options.onProgress?.('reconciling', 0, driver.inFlightCount);
    await driver.quiesce();
    driver.counts.virtualMs = clock.nowMs() - startMs;

    options.onProgress?.('checking', 0, planned.length);
    const states = new Map<string, ExecutionState>();
    const eventTypes = new Map<string, string[]>();
    for (const execution of planned) {
      const loaded = await app.services.repository.load(execution.clientOrderId);
      states.set(execution.clientOrderId, loaded.state);
      eventTypes.set(
        execution.clientOrderId,
        loaded.recorded.map((event) => event.type),
      );
    }
    const scan = await completeScan(app, clock.nowMs(), appConfig.EVENTSTORE_URL === undefined);
    const streams = [...states.values()].filter((state) => state.status !== 'NONE').length;
    const readModel = await readModelCounts(app, streams, scan.expectedEvents ?? scan.eventsRead);
    const sqlInvariants: SqlInvariantResult[] | null =
      readModel === null ? null : await runSqlInvariants(app.context.pool, {});
    const simOrders = await fetchSimOrders(simulator);
    const metrics = computeStagingMetrics({
      planned,
      states,
      storedEvents: scan.expectedEvents ?? scan.eventsRead,
      scan,
      sqlInvariants,
      readModel,
      simOrders,
    });
    const finalStatuses: Record<string, number> = {};
    for (const state of states.values()) finalStatuses[state.status] = (finalStatuses[state.status] ?? 0) + 1;
    const report: SimulationReport = {
      seed: options.seed,
      executions: options.executions,
      concurrency: options.concurrency,
      faultRate: options.faultRate,
      hours: options.hours,
      virtualStart: new Date(startMs).toISOString(),
      virtualEnd: new Date(clock.nowMs()).toISOString(),
      wallMs: 0,
      driver: driver.counts,
      driverErrors: driver.errors,
      faults: injector.counts,
      finalStatuses,
      metrics,
      fingerprint: runFingerprint(planned, eventTypes),
      database: {
        name: throwaway?.name ?? new URL(connectionString).pathname.slice(1),
        url: withoutPassword(connectionString),
        kept: throwaway === undefined || options.keepDatabase,
      },
      ok: metrics.every((metric) => metric.ok) && driver.counts.quiescent,
    };
    await cleanup();
    return { ...report, wallMs: Date.now() - wallStart };
  } finally {
    await cleanup();
  }
}
