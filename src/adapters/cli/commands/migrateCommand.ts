import type { Command } from 'commander';
import { loadConfig } from '../../../config';
import { migrate } from '../../postgres/migrate';
import { openDatabase } from '../../postgres/openDatabase';

export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('apply the numbered SQL migrations in sql/ (each once, in order, under a lock)')
    .option('--json', 'print the result as JSON')
    .action(async (options: { json?: boolean }) => {
      const config = loadConfig();
      const database = await openDatabase(config, { onMessage: (line) => process.stderr.write(`${line}\n`) });
      try {
        const result = await migrate(database.pool);
        if (options.json) process.stdout.write(`${JSON.stringify(result)}\n`);
        else {
          for (const name of result.applied) process.stdout.write(`applied ${name}\n`);
          process.stdout.write(
            `${result.applied.length} applied, ${result.alreadyApplied} already applied\n`,
          );
        }
      } finally {
        await database.close();
      }
    });
}
