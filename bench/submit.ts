import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import { median, openBenchDatabase, throughput } from './support/benchDatabase';
import { pacedLoad } from './support/pacedLoad';
import {
  activityBetween,
  postgresCpuMs,
  printStatementStats,
  serverActivity,
} from './support/postgresDiagnostics';

const SETUP_REQUEST = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  'support/uniqueClientOrderId.cjs',
);

/** A €10 market buy; `__CLIENT_ORDER_ID__` becomes a fresh uuid per request (a new execution). */
function bodyTemplate(): string {
  return JSON.stringify({
    clientOrderId: '__CLIENT_ORDER_ID__',
    market: 'BTC-EUR',
    side: 'buy',
    orderType: 'market',
    amountQuote: '10',
    expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
  });
}

const PACED_RATE_PER_S = 200;

interface LoadResult {
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly statuses: Record<string, number>;
  readonly errors: number;
}

/**
 * POST /v1/executions with a fresh clientOrderId per request, from autocannon in its own worker
 * thread (so the load generator does not share the server's event loop). `overallRate` paces it.
 */
async function load(
  url: string,
  key: string,
  durationS: number,
  connections: number,
  overallRate?: number,
): Promise<LoadResult> {
  const body = bodyTemplate();
  const result = await autocannon({
    url,
    connections,
    duration: durationS,
    workers: 1,
    ...(overallRate === undefined ? {} : { overallRate }),
    requests: [
      {
        method: 'POST',
        path: '/v1/executions',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body,
        setupRequest: SETUP_REQUEST,
      },
    ],
  });
  const statuses: Record<string, number> = {};
  for (const [status, stats] of Object.entries(result.statusCodeStats ?? {})) statuses[status] = stats.count;
  const created = statuses['201'] ?? 0;
  return {
    perSecond: created / durationS,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    statuses,
    errors: result.errors + result.timeouts,
  };
}

/**
 * `npm run bench -- submit [durationS] [connections]`: executions/s and latency of POST /v1/executions
 * against the in-process simulator (no faults, no rate limits), against plain single-row INSERTs/s
 * measured in the same database and run; then p50/p99 at 200 requests/s offered.
 */
export async function run(args: string[]): Promise<void> {
  const durationS = Number(args[0] ?? 10);
  const connections = Number(args[1] ?? 32);
  // `all` (default): one instance does everything, as `npm start`. `api`: an API-only instance
  // (`ledger serve --no-projections`): the projections run on another instance, not measured here.
  const mode = args[2] ?? 'all';
  if (mode !== 'all' && mode !== 'api') throw new Error('usage: submit [seconds] [connections] [all|api]');
  const poolMax = 20;
  const database = await openBenchDatabase(poolMax + 10);
  // Connections cut when the embedded server stops must not crash the run.
  database.pool.on('error', () => undefined);
  const config = loadConfig({
    ...process.env,
    EXCHANGE: 'simulated',
    PORT: '0',
    LOG_LEVEL: 'warn',
    BITVAVO_RATE_LIMIT_PER_MIN: '0',
    API_RATE_LIMIT_PER_MIN: '1000000',
    DATABASE_POOL_MAX: String(poolMax),
    PROJECTIONS_ENABLED: mode === 'all' ? 'true' : 'false',
  });
  const app = await createApp(config, {
    pool: database.pool,
    exchange: { simulator: { priceDrift: false } },
  });
  try {
    const { url } = await app.start();
    const key = (await app.services.keys.create({ role: 'trader', userId: 'bench' })).key;
    await app.services.policy.execute('bench', [
      { type: 'EnableTrading', actor: 'bench', reason: 'benchmark' },
    ]);
    const control = app.context.exchange.simulator!.controlUrl;
    await fetch(`${control}/balance`, {
      method: 'POST',
      body: JSON.stringify({ symbol: 'EUR', available: '1000000000000' }),
    });

    // Baseline: plain single-row INSERTs from as many writers as the app's pool, same database.
    await database.pool.query(`CREATE TABLE IF NOT EXISTS bench_plain_rows (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, k text NOT NULL UNIQUE, data jsonb NOT NULL)`);
    const insert = (writer: number, n: number) =>
      database.pool
        .query('INSERT INTO bench_plain_rows (k, data) VALUES ($1, $2)', [
          `${Date.now()}-${writer}-${n}-${Math.random()}`,
          '{"a":1}',
        ])
        .then(() => undefined);

    await load(url, key, 2, connections); // warm-up: JIT, connections, prepared statements
    const inserts: number[] = [];
    const saturated: LoadResult[] = [];
    const cpuMsPerExecution: number[] = [];
    const postgresCpuMsPerExecution: number[] = [];
    for (let round = 0; round < 2; round++) {
      inserts.push(await throughput(poolMax, 3_000, insert));
      const cpuBefore = process.cpuUsage();
      const pgBefore = postgresCpuMs();
      const result = await load(url, key, durationS, connections);
      const cpu = process.cpuUsage(cpuBefore);
      postgresCpuMsPerExecution.push(
        (postgresCpuMs() - pgBefore) / Math.max(1, result.perSecond * durationS),
      );
      saturated.push(result);
      // This process's CPU (server, simulator, client; autocannon's worker thread included).
      cpuMsPerExecution.push((cpu.user + cpu.system) / 1000 / Math.max(1, result.perSecond * durationS));
    }
    const burst = await load(url, key, durationS, 20, PACED_RATE_PER_S);
    const activityBefore = await serverActivity(database.pool);
    const loopDelay = monitorEventLoopDelay({ resolution: 1 });
    loopDelay.enable();
    // Garbage-collection pauses of this process (the service's thread and the load worker's).
    const gcPausesMs: number[] = [];
    const gcObserver = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) gcPausesMs.push(entry.duration);
    });
    gcObserver.observe({ entryTypes: ['gc'] });
    const paced = await pacedLoad({
      url,
      key,
      ratePerS: PACED_RATE_PER_S,
      durationS,
      maxConnections: 64,
      bodyTemplate: bodyTemplate(),
    });
    loopDelay.disable();
    gcObserver.disconnect();
    const pacedActivity = activityBetween(activityBefore, await serverActivity(database.pool));

    const insertsPerS = median(inserts);
    const best = saturated.reduce((a, b) => (a.perSecond >= b.perSecond ? a : b));
    console.log(
      `database: ${database.description}; app pool ${poolMax}; ${connections} connections; ${durationS} s per run; ${mode === 'all' ? 'one instance with its projections (as npm start)' : 'API-only instance (projections elsewhere)'}`,
    );
    console.log(
      `plain_inserts_per_s=${insertsPerS.toFixed(0)} (median of ${inserts.map((v) => v.toFixed(0)).join(', ')})`,
    );
    for (const [index, result] of saturated.entries()) {
      console.log(
        `saturated run ${index + 1}: executions_per_s=${result.perSecond.toFixed(0)} p50_ms=${result.p50Ms} p99_ms=${result.p99Ms} process_cpu_ms_per_execution=${cpuMsPerExecution[index]?.toFixed(2)} postgres_cpu_ms_per_execution=${postgresCpuMsPerExecution[index]?.toFixed(2)} statuses=${JSON.stringify(result.statuses)} errors=${result.errors}`,
      );
    }
    console.log(
      `submit_per_s=${best.perSecond.toFixed(0)} p50_ms=${best.p50Ms} p99_ms=${best.p99Ms} ratio_to_plain_inserts=${(best.perSecond / insertsPerS).toFixed(3)}`,
    );
    console.log(
      `autocannon_overall_rate_200 (each second's 200 requests sent at once on 20 connections): p50_ms=${burst.p50Ms} p99_ms=${burst.p99Ms} statuses=${JSON.stringify(burst.statuses)} errors=${burst.errors}`,
    );
    console.log(
      `at_200_rps_offered (one request every 5 ms, latency from its due time): offered_per_s=${paced.offeredPerS.toFixed(0)} p50_ms=${paced.p50Ms.toFixed(1)} p99_ms=${paced.p99Ms.toFixed(1)} max_ms=${paced.maxMs.toFixed(1)} statuses=${JSON.stringify(paced.statuses)} errors=${paced.errors}`,
    );
    // How long the service's event loop was held up (by the projections, GC...) during the paced run.
    console.log(
      `event_loop_delay_at_200 (ms): p50=${(loopDelay.percentile(50) / 1e6).toFixed(1)} p99=${(loopDelay.percentile(99) / 1e6).toFixed(1)} max=${(loopDelay.max / 1e6).toFixed(1)}`,
    );
    const gcTotalMs = gcPausesMs.reduce((sum, ms) => sum + ms, 0);
    console.log(
      `gc_at_200: pauses=${gcPausesMs.length} total_ms=${gcTotalMs.toFixed(0)} max_ms=${Math.max(0, ...gcPausesMs).toFixed(1)}`,
    );
    console.log(`postgres_background_at_200: ${pacedActivity}`);
    console.log(`submit_per_s=${best.perSecond.toFixed(0)} p99_ms=${paced.p99Ms.toFixed(1)}`);
    await printStatementStats(database.pool);
  } finally {
    await app.stop();
    await database.close();
  }
}
