import { Option, type Command } from 'commander';
import { loadConfig } from '../../../config';
import { postgresPendingProbe } from '../../../projections/measureLag';
import { createProgressReporter } from '../../../projections/rebuild/progressReporter';
import { rebuildProjection, type RebuildResult } from '../../../projections/rebuild/rebuildProjection';
import { allProjections, projectionNames } from '../../../projections/registry';
import { integerOption } from '../cliOptions';
import { openEventStore } from '../openEventStore';
import { printJson } from '../printJson';
import { DEFAULT_REBUILD_HEAP_MB, rerunWithHeapLimit, runsWithHeapLimit } from '../rerunWithHeapLimit';

interface RebuildOptions {
  projection?: string;
  batchSize: number;
  keepOld?: boolean;
  progress: boolean;
  json?: boolean;
  heapMb: number;
}

/** `ledger rebuild`: the read models from zero into fresh tables, swapped in when caught up. */
export function registerRebuildCommand(program: Command): void {
  program
    .command('rebuild')
    .description(
      'rebuild read models from the event store into fresh tables and swap them in atomically when caught up (the service may keep running)',
    )
    .addOption(
      new Option('--projection <name>', 'only this projection (default: all)').choices(projectionNames()),
    )
    .option('--batch-size <n>', 'events per read and per transaction', integerOption(100, 10_000), 5_000)
    .option('--keep-old', 'keep the replaced tables as <table>__old instead of dropping them')
    .option('--no-progress', 'no progress bar / progress lines on stderr')
    .option('--json', 'print the result as JSON')
    .option(
      '--heap-mb <n>',
      'V8 heap limit the rebuild runs under (it re-runs itself with it); 0 keeps the one node started with',
      integerOption(0, 65_536),
      DEFAULT_REBUILD_HEAP_MB,
    )
    .addHelpText(
      'after',
      '\nExit codes: 0 rebuilt and swapped in, 1 failed (the live tables are untouched), 2 usage.\n' +
        'Running projections pause for the moment of the swap only; readers see the old rows until it\n' +
        'commits and the new ones after it. Progress (events/s, ETA) goes to stderr: a bar on a terminal,\n' +
        'a plain line every few seconds otherwise. Memory stays bounded whatever the number of events:\n' +
        `the rebuild runs under a ${DEFAULT_REBUILD_HEAP_MB} MB V8 heap limit unless --heap-mb says otherwise.`,
    )
    .action(async (options: RebuildOptions) => {
      if (options.heapMb > 0 && !runsWithHeapLimit(options.heapMb)) {
        process.exitCode = await rerunWithHeapLimit(options.heapMb);
        return;
      }
      const config = loadConfig();
      const stores = await openEventStore(config);
      try {
        const selected = allProjections().filter(
          (projection) => options.projection === undefined || projection.name === options.projection,
        );
        const report = createProgressReporter(process.stderr);
        const results: RebuildResult[] = [];
        for (const projection of selected) {
          const result = await rebuildProjection({
            pool: stores.pool,
            store: stores.store,
            projection,
            batchSize: options.batchSize,
            eventsTableInDatabase: stores.storeIsPostgres,
            ...(stores.storeIsPostgres ? { pendingProbe: postgresPendingProbe(stores.pool) } : {}),
            ...(options.keepOld ? { keepOld: true } : {}),
            ...(options.progress && !options.json ? { onProgress: report } : {}),
          });
          results.push(result);
          if (!options.json) {
            process.stdout.write(
              `rebuilt ${result.projection}: ${result.eventsApplied} events in ${(result.elapsedMs / 1000).toFixed(1)} s ` +
                `(${Math.round(result.eventsPerSecond)} events/s), checkpoint ${result.checkpoint.commit}/${result.checkpoint.prepare}\n`,
            );
          }
        }
        if (options.json) printJson({ rebuilt: results });
      } finally {
        await stores.close();
      }
    });
}
