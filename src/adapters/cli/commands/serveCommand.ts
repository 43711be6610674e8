import type { Command } from 'commander';
import { createApp } from '../../../app';
import { loadConfig } from '../../../config';
import { jobsModule } from '../../../jobs/jobsModule';
import { createLogger } from '../../logging/createLogger';
import { opsDashboardModule } from '../../http/opsDashboardModule';
import { LedgerMetrics } from '../../metrics/ledgerMetrics';
import { bootstrapEmbeddedDefaults, usesEmbeddedDefaults } from '../bootstrapEmbeddedDefaults';

/** Resolves on the first SIGINT or SIGTERM. */
function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: string) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** `ledger serve` (and `npm start`): the HTTP API, until SIGINT / SIGTERM, then a graceful stop. */
export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description(
      'run the HTTP API (embedded PostgreSQL and the simulated exchange unless configured otherwise)',
    )
    .option('--no-jobs', 'API only: run no scheduled jobs on this instance (as JOBS_ENABLED=false)')
    .option(
      '--no-projections',
      'API only: apply no projections on this instance (as PROJECTIONS_ENABLED=false)',
    )
    .action(async (options: { jobs: boolean; projections: boolean }) => {
      const config = loadConfig({
        ...process.env,
        ...(options.projections ? {} : { PROJECTIONS_ENABLED: 'false' }),
      });
      const logger = createLogger({ level: config.LOG_LEVEL });
      // Listening from the start: a SIGTERM while the database starts or migrates must still end in a
      // stop that shuts the embedded PostgreSQL down (node's default exit would leave it running).
      let received: string | undefined;
      const signal = untilSignal().then((name) => (received = name));
      // Jobs, alerts, start-up reconciliation, ops promotions and /metrics (src/jobs/jobsModule.ts).
      const metrics = new LedgerMetrics();
      const app = await createApp(config, {
        logger,
        onDatabaseMessage: (line) => process.stderr.write(`${line}\n`),
        exchange: { client: { hooks: metrics.exchangeHooks } },
        modules: [
          jobsModule({ metrics, schedulerEnabled: options.jobs && config.JOBS_ENABLED }),
          // GET /ops, the operations page, and its data route (src/adapters/http/opsDashboardModule.ts).
          opsDashboardModule({ metrics }),
        ],
      });
      try {
        if (received !== undefined) {
          process.stdout.write(`${received}: stopping before the service started\n`);
          return;
        }
        if (usesEmbeddedDefaults(config)) {
          const bootstrap = await bootstrapEmbeddedDefaults(app);
          if (bootstrap.createdKeys.length > 0) {
            process.stdout.write(
              '\nAPI keys created for the embedded defaults (shown only this once; keep them):\n',
            );
            for (const created of bootstrap.createdKeys) {
              const who = created.userId === null ? created.role : `${created.role} (user ${created.userId})`;
              process.stdout.write(`  ${who.padEnd(22)} ${created.key}\n`);
            }
            process.stdout.write('\n');
          }
        }
        const { url } = await app.start();
        // One write, so that a reader that sees the URL sees the rest with it.
        process.stdout.write(
          `trade-ledger listening on ${url}\nAPI docs: ${url}/docs\nOperations dashboard: ${url}/ops\n`,
        );
        await signal;
        process.stdout.write(`${received}: stopping (requests in flight finish first)\n`);
      } finally {
        await app.stop();
      }
      process.stdout.write('stopped\n');
    });
}
