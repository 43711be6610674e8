import type { Command } from 'commander';
import { loadConfig } from '../../../config';
import { createEventStore } from '../../eventstore/createEventStore';
import { openDatabase, type OpenDatabase } from '../../postgres/openDatabase';
import { integerOption, urlOption } from '../cliOptions';
import { EXIT_CHECK_FAILED } from '../main';
import { codeChecks } from '../preflight/codeChecks';
import { databaseChecks } from '../preflight/databaseChecks';
import { formatPreflight } from '../preflight/formatPreflight';
import { operationsChecks } from '../preflight/operationsChecks';
import { check, pass, type PreflightCheck } from '../preflight/preflightCheck';
import { ServiceClient } from '../preflight/serviceClient';
import { printJson } from '../printJson';
import { withoutPassword } from '../simulate/throwawayDatabase';

interface PreflightOptions {
  url?: string;
  apiKey?: string;
  sendTestAlert?: boolean;
  testKillSwitch?: boolean;
  jobsWait: number;
  json?: boolean;
}

/** `ledger preflight`: the deployment checklist's final verification, automated. */
export function registerPreflightCommand(program: Command): void {
  program
    .command('preflight')
    .description(
      'the deployment checklist’s final verification: database, code and operations of the configured database and the running service',
    )
    .option('--url <url>', 'the running service (default http://$HOST:$PORT)', urlOption)
    .option('--api-key <key>', 'an ops API key for the service (default LEDGER_API_KEY)')
    .option('--send-test-alert', 'post a test message to ALERT_WEBHOOK_URL to prove it is reachable')
    .option(
      '--test-kill-switch',
      'really engage and release the kill switch through the API (halts trading for a moment)',
    )
    .option(
      '--jobs-wait <seconds>',
      'wait this long for the jobs of a service that has just started to register and run',
      integerOption(0, 600),
      20,
    )
    .option('--json', 'print the checklist as JSON')
    .addHelpText(
      'after',
      '\nPrints each check with ✅ or ❌ and the reason. Exit codes: 0 all pass, 1 any fails, 2 usage.\n' +
        'Example: LEDGER_API_KEY=... ledger preflight --url http://127.0.0.1:3000 --send-test-alert',
    )
    .action(async (options: PreflightOptions) => {
      const config = loadConfig();
      const url =
        options.url ??
        `http://${config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST}:${config.PORT}`;
      const client = new ServiceClient(url, options.apiKey ?? process.env['LEDGER_API_KEY'] ?? undefined);
      let database: OpenDatabase | undefined;
      const checks: PreflightCheck[] = [];
      try {
        try {
          database = await openDatabase(config, { onMessage: (line) => process.stderr.write(`${line}\n`) });
        } catch (error) {
          checks.push({
            section: 'database',
            name: 'reachable',
            ok: false,
            detail: (error as Error).message,
          });
        }
        const where =
          database === undefined ? 'the configured database' : withoutPassword(database.connectionString);
        if (database !== undefined) {
          checks.push(...(await databaseChecks(database.pool, where)));
          const pool = database.pool;
          checks.push(
            await check('database', 'event store readable', async () => {
              const store = createEventStore(config, pool);
              try {
                await store.readAll({ maxCount: 1 });
                return pass(config.EVENTSTORE_URL === undefined ? 'PostgreSQL events table' : 'EventStoreDB');
              } finally {
                await store.close();
              }
            }),
          );
        }
        checks.push(...(await codeChecks(config, database?.pool)));
        checks.push(
          ...(await operationsChecks(client, database?.pool, config, {
            sendTestAlert: options.sendTestAlert === true,
            testKillSwitch: options.testKillSwitch === true,
            jobsWaitMs: options.jobsWait * 1000,
          })),
        );
      } finally {
        await database?.close();
      }
      const ok = checks.every((item) => item.ok);
      if (options.json) printJson({ service: url, checks, ok });
      else {
        const header = `preflight of ${database === undefined ? 'the configured database' : withoutPassword(database.connectionString)} and the service at ${url}`;
        process.stdout.write(`${formatPreflight(checks, header).join('\n')}\n`);
      }
      if (!ok) process.exitCode = EXIT_CHECK_FAILED;
    });
}
