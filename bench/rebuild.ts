import { PostgresEventStore } from '../src/adapters/eventstore/postgres/postgresEventStore';
import { executionsProjection } from '../src/projections/executions/executionsProjection';
import { postgresPendingProbe } from '../src/projections/measureLag';
import { createProgressReporter } from '../src/projections/rebuild/progressReporter';
import { rebuildProjection } from '../src/projections/rebuild/rebuildProjection';
import {
  DEFAULT_REBUILD_HEAP_MB,
  rerunWithHeapLimit,
  runsWithHeapLimit,
} from '../src/adapters/cli/rerunWithHeapLimit';
import { openBenchDatabase } from './support/benchDatabase';
import { generateExecutionEvents } from './support/generateExecutionEvents';
import { activityBetween, postgresCpuMs, serverActivity } from './support/postgresDiagnostics';

const DEFAULT_EVENTS = 1_000_000;
const SCAN_PAGE = 10_000;
/** Events per read and per transaction of the rebuild (its default); memory is about three of these. */
const REBUILD_BATCH = 5_000;

/**
 * `npm run bench -- rebuild [events]`: loads realistic execution histories into the store, rebuilds
 * the executions projection (trade_executions, the audit log, user_execution_stats) from zero, and
 * measures the raw baseline in the same run: the same events read with a plain keyset SELECT scan.
 * Peak RSS is the process's maximum resident set (it must not grow with the number of events).
 */
export async function run(args: string[]): Promise<void> {
  // What an operator gets: `ledger rebuild` re-runs itself under this V8 heap limit, and so does this.
  if (!runsWithHeapLimit(DEFAULT_REBUILD_HEAP_MB)) {
    process.exitCode = await rerunWithHeapLimit(DEFAULT_REBUILD_HEAP_MB);
    return;
  }
  const requested = Number(args[0] ?? DEFAULT_EVENTS);
  if (!Number.isSafeInteger(requested) || requested < 1) throw new Error('usage: rebuild [events]');
  const database = await openBenchDatabase(4);
  const { pool } = database;
  const store = new PostgresEventStore(pool);
  try {
    const loadStarted = performance.now();
    const events = await generateExecutionEvents(pool, requested);
    const loadMs = performance.now() - loadStarted;
    await pool.query('VACUUM ANALYZE events');
    console.log(
      `database: ${database.description}; ${events} events loaded in ${(loadMs / 1000).toFixed(1)} s`,
    );

    const baselineStarted = performance.now();
    let scanned = 0;
    let after: [string, string] | undefined;
    // The raw baseline: the same rows through the same driver, nothing done with them.
    for (let page = 0; page < 1_000_000; page++) {
      const result = await pool.query<{ transaction_id: string; global_position: string }>(
        `SELECT transaction_id::text AS transaction_id, global_position, stream_id, stream_revision, event_id,
                event_type, data, metadata, created_at
           FROM events
          WHERE $1::xid8 IS NULL OR (events.transaction_id, events.global_position) > ($1::xid8, $2::bigint)
          ORDER BY events.transaction_id, events.global_position LIMIT ${SCAN_PAGE}`,
        after ?? [null, null],
      );
      scanned += result.rows.length;
      const last = result.rows.at(-1);
      if (!last || result.rows.length < SCAN_PAGE) break;
      after = [last.transaction_id, last.global_position];
    }
    const baselineMs = performance.now() - baselineStarted;
    const scanPerS = scanned / (baselineMs / 1000);
    console.log(
      `plain_scan_events_per_s=${scanPerS.toFixed(0)} (${scanned} events in ${(baselineMs / 1000).toFixed(1)} s)`,
    );

    const report = createProgressReporter(process.stderr);
    const cpuBefore = process.cpuUsage();
    const pgCpuBeforeMs = postgresCpuMs();
    const activityBefore = await serverActivity(pool);
    const result = await rebuildProjection({
      pool,
      store,
      projection: executionsProjection(),
      batchSize: REBUILD_BATCH,
      pendingProbe: postgresPendingProbe(pool),
      eventsTableInDatabase: true,
      onProgress: report,
    });
    const cpu = process.cpuUsage(cpuBefore);
    const pgUsPerEvent = ((postgresCpuMs() - pgCpuBeforeMs) * 1000) / Math.max(1, events);
    const activity = activityBetween(activityBefore, await serverActivity(pool));
    const rows = await pool.query<{ executions: string; audit: string }>(
      'SELECT (SELECT count(*) FROM trade_executions) AS executions, (SELECT count(*) FROM execution_events) AS audit',
    );
    if (Number(rows.rows[0]?.audit) !== events)
      throw new Error(`rebuild wrote ${rows.rows[0]?.audit} audit rows, not ${events}`);
    const rssMb = process.resourceUsage().maxRSS / 1024;
    const cpuUsPerEvent = (cpu.user + cpu.system) / Math.max(1, result.eventsApplied);
    console.log(
      `rebuild: ${result.eventsApplied} events, ${rows.rows[0]?.executions} executions in ${(result.elapsedMs / 1000).toFixed(1)} s; ` +
        `this process ${cpuUsPerEvent.toFixed(1)} µs CPU per event, ` +
        `postgres ${pgUsPerEvent.toFixed(1)} µs CPU per event; node --max-old-space-size=${DEFAULT_REBUILD_HEAP_MB} (as ledger rebuild)`,
    );
    console.log(`postgres_background_during_rebuild: ${activity}`);
    console.log(`rebuild_vs_plain_scan_ratio=${(result.eventsPerSecond / scanPerS).toFixed(3)}`);
    console.log(`rebuild_events_per_s=${result.eventsPerSecond.toFixed(0)} rss_mb=${rssMb.toFixed(0)}`);
  } finally {
    await store.close();
    await database.close();
  }
}
