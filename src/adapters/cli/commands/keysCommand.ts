import { InvalidArgumentError, Option, type Command } from 'commander';
import { loadConfig } from '../../../config';
import { userIdSchema } from '../../../domain/policy';
import { ApiKeyStore } from '../../http/auth/apiKeyStore';
import { migrate } from '../../postgres/migrate';
import { openDatabase } from '../../postgres/openDatabase';

interface KeysCreateOptions {
  role: 'trader' | 'ops';
  user?: string;
  name?: string;
}

function userIdOption(value: string): string {
  if (!userIdSchema.safeParse(value).success)
    throw new InvalidArgumentError('must be 1-100 letters, digits or _ . : @ -');
  return value;
}

function nameOption(value: string): string {
  if (value.trim().length === 0 || value.length > 100)
    throw new InvalidArgumentError('must be 1-100 characters');
  return value;
}

/** `ledger keys create --role trader --user U` / `--role ops`: prints the new key alone on the last line. */
export function registerKeysCommand(program: Command): void {
  const keys = program.command('keys').description('API keys of the HTTP API');
  keys
    .command('create')
    .description('create an API key (stored hashed; the key is printed once, alone on the last line)')
    .addOption(
      new Option('--role <role>', "trader (one user's orders) or ops")
        .choices(['trader', 'ops'])
        .makeOptionMandatory(),
    )
    .option('--user <userId>', 'the user a trader key trades for (required with --role trader)', userIdOption)
    .option('--name <name>', "a label, recorded as the actor of this key's changes", nameOption)
    .action(async (options: KeysCreateOptions, command: Command) => {
      if (options.role === 'trader' && options.user === undefined) {
        command.error('error: --user is required with --role trader', { exitCode: 2 });
      }
      if (options.role === 'ops' && options.user !== undefined) {
        command.error('error: --user only goes with --role trader', { exitCode: 2 });
      }
      const config = loadConfig();
      const database = await openDatabase(config, { onMessage: (line) => process.stderr.write(`${line}\n`) });
      try {
        await migrate(database.pool);
        const store = new ApiKeyStore(database.pool);
        const created = await store.create({
          role: options.role,
          ...(options.user === undefined ? {} : { userId: options.user }),
          ...(options.name === undefined ? {} : { name: options.name }),
        });
        const who = created.principal.userId === null ? '' : ` for user ${created.principal.userId}`;
        process.stdout.write(`created ${created.principal.role} key ${created.principal.keyId}${who}\n`);
        process.stdout.write(`${created.key}\n`);
      } finally {
        await database.close();
      }
    });
}
