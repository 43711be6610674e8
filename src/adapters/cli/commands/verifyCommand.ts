import { Option, type Command } from 'commander';
import { loadConfig } from '../../../config';
import { describeDrift } from '../../../projections/verify/drift';
import { VERIFIABLE_PROJECTIONS, verifyProjections } from '../../../projections/verify/verifyProjections';
import { integerOption } from '../cliOptions';
import { EXIT_CHECK_FAILED } from '../main';
import { openEventStore } from '../openEventStore';
import { printJson } from '../printJson';

interface VerifyOptions {
  projection?: string;
  maxDrifts: number;
  json?: boolean;
}

/** `ledger verify`: replay the streams into memory and compare them with the read models. */
export function registerVerifyCommand(program: Command): void {
  program
    .command('verify')
    .description(
      'replay the streams into memory (the domain’s own fold) and compare them with the read models, row by row and field by field',
    )
    .addOption(
      new Option('--projection <name>', 'only this projection (default: all)').choices([
        ...VERIFIABLE_PROJECTIONS,
      ]),
    )
    .option(
      '--max-drifts <n>',
      'print at most this many drifts (all are counted)',
      integerOption(1, 1_000_000),
      1_000,
    )
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      '\nExit codes: 0 the read models match the streams, 1 a drift (missing row, extra row, a field that\n' +
        'differs, or a stream that does not replay), 2 usage. Each projection is compared as of its own\n' +
        'checkpoint, in one database snapshot, so it can run while the service works. After a projection\n' +
        'bug is fixed, `ledger rebuild` repairs the drift.',
    )
    .action(async (options: VerifyOptions) => {
      const config = loadConfig();
      const stores = await openEventStore(config);
      try {
        const result = await verifyProjections({
          pool: stores.pool,
          store: stores.store,
          maxDrifts: options.maxDrifts,
          ...(options.projection ? { projections: [options.projection] } : {}),
        });
        if (options.json) printJson(result);
        else {
          const lines: string[] = [];
          for (const projection of result.projections) {
            const at = projection.checkpoint.position;
            lines.push(
              `${projection.projection}: ${projection.events} events replayed, ${projection.rows} rows compared (checkpoint ${at.commit}/${at.prepare})`,
            );
          }
          for (const drift of result.drifts) lines.push(`❌ ${describeDrift(drift)}`);
          if (result.driftCount > result.drifts.length) {
            lines.push(`… and ${result.driftCount - result.drifts.length} more drifts`);
          }
          lines.push(
            result.ok
              ? '✅ the read models match the streams'
              : `❌ ${result.driftCount} drift${result.driftCount === 1 ? '' : 's'}: run \`ledger rebuild\` after fixing the cause`,
          );
          process.stdout.write(`${lines.join('\n')}\n`);
        }
        if (!result.ok) process.exitCode = EXIT_CHECK_FAILED;
      } finally {
        await stores.close();
      }
    });
}
