import { Option, type Command } from 'commander';
import { loadConfig } from '../../../config';
import { createLogger } from '../../logging/createLogger';
import { integerOption, numberOption } from '../cliOptions';
import { EXIT_CHECK_FAILED } from '../main';
import { printJson } from '../printJson';
import { createProgressReporter, type ProgressReporter } from '../progressReporter';
import { formatSimulation } from '../simulate/formatSimulation';
import { runSimulation } from '../simulate/runSimulation';

interface SimulateCommandOptions {
  executions: number;
  concurrency: number;
  faultRate: number;
  seed: number;
  hours: number;
  database: 'throwaway' | 'configured';
  keepDatabase?: boolean;
  clientTimeoutMs: number;
  logLevel: string;
  progress: boolean;
  json?: boolean;
}

/** `ledger simulate`: the deployment checklist's staging run, in accelerated time. */
export function registerSimulateCommand(program: Command): void {
  program
    .command('simulate')
    .description(
      'the staging run in accelerated time: executions against the simulator with random faults of every kind, reconciliation to quiescence, the five staging metrics',
    )
    .option(
      '--executions <n>',
      'how many executions (the checklist: 50 an hour for 24 h = 1200)',
      integerOption(1, 1_000_000),
      1200,
    )
    .option(
      '--concurrency <n>',
      'executions sent in parallel (they arrive in bursts of this size)',
      integerOption(1, 64),
      4,
    )
    .option(
      '--fault-rate <r>',
      'probability (0..1) of a fault on each order, lookup or sweep',
      numberOption(0, 1),
      0.1,
    )
    .option('--seed <n>', 'the same seed gives the same run', integerOption(0, 2 ** 31 - 1), 1)
    .option('--hours <h>', 'virtual hours the executions are spread over', numberOption(0.01, 24 * 365), 24)
    .addOption(
      new Option(
        '--database <which>',
        'throwaway: a fresh database on the configured server, dropped after; configured: the configured one',
      )
        .choices(['throwaway', 'configured'])
        .default('throwaway'),
    )
    .option('--keep-database', 'keep the throwaway database (to replay or inspect it afterwards)')
    .option(
      '--client-timeout-ms <ms>',
      'the exchange client timeout during the run (real time)',
      integerOption(200, 60_000),
      1000,
    )
    .addOption(
      new Option('--log-level <level>', 'app log level, to stderr')
        .choices(['silent', 'error', 'warn', 'info', 'debug'])
        .default('silent'),
    )
    .option('--no-progress', 'no progress bar / progress lines on stderr')
    .option('--json', 'print the report as JSON')
    .addHelpText(
      'after',
      '\nThe app runs in-process (createApp) with a virtual clock shared with an in-process Bitvavo simulator;\n' +
        'each fault is drawn from the seed for one exchange call and scripted into the simulator for it, and\n' +
        'one fault kind is the submitting worker dying after recording SUBMITTING and before sending.\n' +
        'Exit codes: 0 every staging metric passes, 1 one fails, 2 usage.\n' +
        'Example: ledger simulate --executions 2000 --fault-rate 0.2 --seed 3',
    )
    .action(async (options: SimulateCommandOptions) => {
      const config = loadConfig();
      let progress: ProgressReporter | undefined;
      let phase = '';
      const report = await runSimulation(config, {
        executions: options.executions,
        concurrency: options.concurrency,
        faultRate: options.faultRate,
        seed: options.seed,
        hours: options.hours,
        database: options.database,
        keepDatabase: options.keepDatabase === true,
        clientTimeoutMs: options.clientTimeoutMs,
        logger: createLogger({ level: options.logLevel, name: 'simulate' }, process.stderr),
        onProgress: (next, done, total) => {
          if (next !== phase) {
            progress?.finish(next === 'reconciling' ? options.executions : done);
            phase = next;
            if (next === 'submitting') {
              progress = createProgressReporter({
                label: 'simulating',
                total,
                unit: 'executions',
                enabled: options.progress,
              });
            } else {
              progress = undefined;
              if (options.progress)
                process.stderr.write(
                  next === 'reconciling' ? `reconciling ${total} in flight to quiescence…\n` : 'checking…\n',
                );
            }
          }
          progress?.update(done);
        },
      });
      if (options.json) printJson(report);
      else process.stdout.write(`${formatSimulation(report).join('\n')}\n`);
      if (!report.ok) process.exitCode = EXIT_CHECK_FAILED;
    });
}
