import { Counter, Histogram, Registry, collectDefaultMetrics, type Gauge } from 'prom-client';
import type { BitvavoClientHooks } from '../exchange/bitvavo/bitvavoHttp';
import {
  readDatabaseFigures,
  type DatabaseFigures,
  type MetricsSources,
  type TradingControlFigure,
} from './databaseFigures';
import { ScrapedGauge } from './scrapedGauge';

/** Exchange call latency buckets (seconds): 5 ms … 20 s (the client's timeout is 10 s by default). */
const LATENCY_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20];
/** Figures read from the database are reused for this long: one scrape, one set of queries. */
const FIGURES_TTL_MS = 5_000;

/**
 * The service's Prometheus metrics, one registry per app (tests run several apps in one process).
 * Process-local counters (this instance's submissions, reconcile rounds, exchange calls) plus gauges
 * read from the database at scrape time, so that every instance reports the same desk-wide figures
 * (executions by status, failures, invariant violations, projection lag, each job's last success).
 * The job label is `ledger_job`: a scrape sets `job` itself (and would rename ours `exported_job`).
 */
export class LedgerMetrics {
  readonly registry = new Registry();
  readonly submissions: Counter<'outcome'>;
  readonly reconcileRounds: Counter<'source' | 'action'>;
  readonly jobRuns: Counter<'ledger_job' | 'outcome'>;
  readonly exchangeLatency: Histogram<'method' | 'endpoint' | 'outcome'>;
  readonly exchangeHooks: BitvavoClientHooks;
  private sources: MetricsSources | undefined;
  private figures: { readonly atMs: number; readonly value: Promise<DatabaseFigures | null> } | undefined;
  private lastRateLimitRemaining: number | undefined;
  private lastRateLimitResetAtMs: number | undefined;
  /** The read of the scrape under way, shared by its two trading-control gauges; dropped once settled. */
  private tradingControlRead: Promise<TradingControlFigure | null> | undefined;

  constructor(options: { readonly defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    this.submissions = new Counter({
      name: 'ledger_submissions_total',
      help: 'POST /v1/executions answers of this instance by outcome (created, replayed, pending = soft failure, rejected, failed = hard failure, key_reused, invalid, unavailable)',
      labelNames: ['outcome'],
      registers,
    });
    this.reconcileRounds = new Counter({
      name: 'ledger_reconcile_rounds_total',
      help: 'Reconcile rounds run by this instance, by source (sweeper, startup) and action',
      labelNames: ['source', 'action'],
      registers,
    });
    this.jobRuns = new Counter({
      name: 'ledger_job_runs_total',
      help: 'Job runs attempted by this instance, by outcome',
      labelNames: ['ledger_job', 'outcome'],
      registers,
    });
    this.exchangeLatency = new Histogram({
      name: 'ledger_exchange_request_duration_seconds',
      help: 'Exchange REST calls by method, endpoint and outcome class',
      labelNames: ['method', 'endpoint', 'outcome'],
      buckets: LATENCY_BUCKETS_S,
      registers,
    });
    this.exchangeHooks = {
      onRequest: (event) =>
        this.exchangeLatency.observe(
          { method: event.method, endpoint: event.endpoint, outcome: event.outcome },
          event.durationMs / 1000,
        ),
      onRateLimit: (event) => {
        this.lastRateLimitRemaining = event.remaining;
        this.lastRateLimitResetAtMs = event.resetAtMs;
      },
    };
    this.registerDatabaseGauges(registers);
    this.registerLiveGauges(registers);
  }

  /** Where the scrape-time gauges come from; until this is called they are empty. */
  bind(sources: MetricsSources): void {
    this.sources = sources;
    this.figures = undefined;
    this.tradingControlRead = undefined;
  }

  async render(): Promise<{ contentType: string; body: string }> {
    // A fresh trading-control read for this scrape, even if an earlier scrape's read still hangs.
    this.tradingControlRead = undefined;
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private currentFigures(): Promise<DatabaseFigures | null> {
    const sources = this.sources;
    if (sources === undefined) return Promise.resolve(null);
    const nowMs = Date.now();
    if (this.figures === undefined || nowMs - this.figures.atMs >= FIGURES_TTL_MS) {
      this.figures = { atMs: nowMs, value: readDatabaseFigures(sources).catch(() => null) };
    }
    return this.figures.value;
  }

  /**
   * Not cached across scrapes (unlike the figures): one read per scrape, shared by the gauges that
   * prom-client collects together (synchronously, one after the other, at the scrape's start), and
   * forgotten once settled. A failed read leaves them out of that scrape.
   */
  private currentTradingControl(): Promise<TradingControlFigure | null> {
    const read = this.sources?.tradingControl;
    if (read === undefined) return Promise.resolve(null);
    this.tradingControlRead ??= read()
      .catch(() => null)
      .finally(() => {
        this.tradingControlRead = undefined;
      });
    return this.tradingControlRead;
  }

  /** The rate-limit window's end as last reported by the client; none once it has passed (a new window). */
  private rateLimitResetAtMs(): number | undefined {
    const resetAtMs = this.lastRateLimitResetAtMs;
    const nowMs = this.sources?.nowMs?.() ?? Date.now();
    return resetAtMs !== undefined && resetAtMs > nowMs ? resetAtMs : undefined;
  }

  private registerDatabaseGauges(registers: Registry[]): void {
    const figures = () => this.currentFigures();
    const gauge = <L extends string>(
      name: string,
      help: string,
      labelNames: readonly L[],
      fill: (gauge: Gauge<L>, figures: DatabaseFigures) => void,
    ) => new ScrapedGauge({ name, help, labelNames, registers, read: figures, fill });

    gauge('ledger_executions', 'Executions by status (trade_executions read model)', ['status'], (g, f) => {
      for (const [status, count] of Object.entries(f.executionsByStatus)) g.set({ status }, count);
    });
    gauge(
      'ledger_execution_soft_failures',
      'Executions whose outcome was unknown or needed a lookup (all time)',
      [],
      (g, f) => g.set(f.softFailures),
    );
    gauge(
      'ledger_execution_hard_failures',
      'Executions the exchange refused for good (SubmissionFailed, all time)',
      [],
      (g, f) => g.set(f.hardFailures),
    );
    gauge(
      'ledger_reconcile_attempts',
      'Reconcile lookups recorded over all executions (ReconcileAttempted)',
      [],
      (g, f) => g.set(f.reconcileAttempts),
    );
    gauge(
      'ledger_invariant_violations',
      'Violations found by the latest run of each invariant check',
      ['check'],
      (g, f) => {
        for (const [check, violations] of Object.entries(f.invariantViolations)) g.set({ check }, violations);
      },
    );
    gauge(
      'ledger_projection_lag_events',
      'Events recorded but not yet applied, per projection',
      ['projection'],
      (g, f) => {
        for (const lag of f.projectionLag) g.set({ projection: lag.name }, lag.events);
      },
    );
    gauge(
      'ledger_projection_lag_seconds',
      'Age of the oldest event not yet applied, per projection',
      ['projection'],
      (g, f) => {
        for (const lag of f.projectionLag) g.set({ projection: lag.name }, lag.ms / 1000);
      },
    );
    gauge(
      'ledger_job_last_success_timestamp_seconds',
      'When each job last finished successfully (any instance)',
      ['ledger_job'],
      (g, f) => {
        for (const [job, atMs] of Object.entries(f.jobLastSuccessMs)) g.set({ ledger_job: job }, atMs / 1000);
      },
    );
  }

  /** Gauges read at every scrape from the exchange client and the trading-control stream. */
  private registerLiveGauges(registers: Registry[]): void {
    const gauge = (name: string, help: string, read: () => Promise<number | null> | number | null) =>
      new ScrapedGauge({ name, help, registers, read, fill: (g, value: number) => g.set(value) });

    gauge(
      'ledger_exchange_rate_limit_remaining',
      'Rate-limit weight points the exchange client believes it has left this minute',
      () => this.sources?.rateLimitRemaining?.() ?? this.lastRateLimitRemaining ?? null,
    );
    gauge(
      'ledger_exchange_rate_limit_reset_timestamp_seconds',
      'When the exchange rate-limit window (or a ban) ends, as last reported (bitvavo-ratelimit-resetat, on our clock); absent once passed',
      () => {
        const atMs = this.rateLimitResetAtMs();
        return atMs === undefined ? null : atMs / 1000;
      },
    );
    gauge(
      'ledger_kill_switch_engaged',
      'Kill switch of the trading-control stream, read at scrape time: 1 engaged (no new orders), 0 released',
      async () => {
        const control = await this.currentTradingControl();
        return control === null ? null : control.killSwitchEngaged ? 1 : 0;
      },
    );
    gauge(
      'ledger_allowed_markets',
      'Markets on the allowlist of the trading-control stream, read at scrape time',
      async () => (await this.currentTradingControl())?.allowedMarkets ?? null,
    );
  }
}
