import type { Command } from 'commander';
import type pg from 'pg';
import { loadConfig } from '../../../config';
import { EXECUTION_STREAM_PREFIX } from '../../../domain/execution';
import { EXECUTION_INVARIANTS } from '../../../domain/invariants';
import { integerOption } from '../cliOptions';
import {
  OPERATIONAL_STALE_SUBMITTING_MS,
  runSqlInvariants,
  type SqlInvariantResult,
} from '../invariants/runSqlInvariants';
import { scanExecutionStreams, type ScanResult } from '../invariants/scanExecutionStreams';
import { EXIT_CHECK_FAILED } from '../main';
import { openEventStore } from '../openEventStore';
import { printJson, toJson } from '../printJson';
import { createProgressReporter } from '../progressReporter';
import { formatFindings } from '../replay/formatReplay';

interface InvariantsOptions {
  replay?: boolean;
  batchSize: number;
  staleAfter: number;
  progress: boolean;
  json?: boolean;
}

async function countExecutionEvents(pool: pg.Pool): Promise<number | undefined> {
  try {
    const result = await pool.query<{ count: string }>(
      'SELECT count(*) FROM events WHERE starts_with(stream_id, $1)',
      [EXECUTION_STREAM_PREFIX],
    );
    return Number(result.rows[0]?.count ?? 0);
  } catch {
    return undefined;
  }
}

function formatSqlResults(results: readonly SqlInvariantResult[]): string[] {
  const lines = ['read-model invariants (SQL functions over trade_executions):'];
  for (const result of results) {
    if (!result.ran) lines.push(`❌ ${result.function}(): ${result.error}`);
    else if (result.violations === 0) lines.push(`✅ ${result.function}(): holds`);
    else {
      lines.push(
        `❌ ${result.function}(): ${result.violations} violation${result.violations === 1 ? '' : 's'}`,
      );
      for (const row of result.rows) lines.push(`    ${toJson(row)}`);
      if (result.rows.length < result.violations)
        lines.push(`    … and ${result.violations - result.rows.length} more`);
    }
  }
  return lines;
}

function formatScan(result: ScanResult): string[] {
  const lines = [
    `invariants over every execution stream replayed from the event store: ${result.streamsChecked} streams, ${result.eventsRead} events`,
  ];
  const checks = [...EXECUTION_INVARIANTS, 'readable_events', 'replay'] as const;
  for (const check of checks) {
    const count = result.countsByCheck[check] ?? 0;
    if (count === 0 && (check === 'readable_events' || check === 'replay')) continue;
    lines.push(count === 0 ? `✅ ${check}` : `❌ ${check}: ${count}`);
  }
  if (result.redelivered > 0)
    lines.push(`⚠ the store delivered ${result.redelivered} events twice (each checked once)`);
  if (result.findingsTotal > 0) {
    lines.push('', ...formatFindings(result.findings));
    if (result.findings.length < result.findingsTotal) {
      lines.push(`  (${result.findingsTotal - result.findings.length} more not kept)`);
    }
  }
  return lines;
}

/** `ledger invariants`: the read models' SQL invariants, or every stream replayed through the domain's. */
export function registerInvariantsCommand(program: Command): void {
  program
    .command('invariants')
    .description(
      'check the invariants: the SQL functions over the read models, or with --replay the domain’s checks over every stream replayed from the event store',
    )
    .option(
      '--replay',
      'replay every execution stream from the event store and check it with the domain invariants',
    )
    .option(
      '--batch-size <n>',
      'with --replay: events read per batch of the global order',
      integerOption(1, 10_000),
      1000,
    )
    .option(
      '--stale-after <minutes>',
      'SUBMITTING longer than this is a violation',
      integerOption(1, 100_000),
      OPERATIONAL_STALE_SUBMITTING_MS / 60_000,
    )
    .option('--no-progress', 'no progress bar / progress lines on stderr')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      '\nExit codes: 0 every invariant holds, 1 a violation (or a check could not run), 2 usage.\n' +
        'Without --replay the read models are checked (fast, as fresh as the projections); with --replay the\n' +
        'event store itself is (the record of truth, one pass over the global order in batches).',
    )
    .action(async (options: InvariantsOptions) => {
      const config = loadConfig();
      const stores = await openEventStore(config);
      const staleSubmittingAfterMs = options.staleAfter * 60_000;
      try {
        if (!options.replay) {
          const results = await runSqlInvariants(stores.pool, { staleSubmittingAfterMs });
          const ok = results.every((result) => result.ran && result.violations === 0);
          if (options.json) printJson({ mode: 'sql', staleSubmittingAfterMs, checks: results, ok });
          else process.stdout.write(`${formatSqlResults(results).join('\n')}\n`);
          if (!ok) process.exitCode = EXIT_CHECK_FAILED;
          return;
        }
        const total = stores.storeIsPostgres ? await countExecutionEvents(stores.pool) : undefined;
        const progress = createProgressReporter({
          label: 'replaying',
          ...(total === undefined ? {} : { total }),
          enabled: options.progress,
        });
        const describe = (streams: number, findings: number) =>
          `${streams} streams checked, ${findings} violation${findings === 1 ? '' : 's'}`;
        const result = await scanExecutionStreams(stores.store, {
          batchSize: options.batchSize,
          nowMs: Date.now(),
          staleSubmittingAfterMs,
          onProgress: (step) =>
            progress.update(step.eventsRead, describe(step.streamsChecked, step.findings)),
        });
        progress.finish(result.eventsRead, describe(result.streamsChecked, result.findingsTotal));
        // Readers of the global order stop at the oldest transaction still open; events it hides are not checked.
        const complete = total === undefined || result.eventsRead >= total;
        const ok = result.findingsTotal === 0 && complete;
        if (options.json)
          printJson({
            mode: 'replay',
            staleSubmittingAfterMs,
            ...result,
            expectedEvents: total ?? null,
            complete,
            ok,
          });
        else {
          const lines = formatScan(result);
          if (!complete) {
            lines.push(
              `❌ incomplete: read ${result.eventsRead} of ${total} events (a transaction older than the rest is still open); run it again`,
            );
          }
          process.stdout.write(`${lines.join('\n')}\n`);
        }
        if (!ok) process.exitCode = EXIT_CHECK_FAILED;
      } finally {
        await stores.close();
      }
    });
}
