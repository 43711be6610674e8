import { InvalidArgumentError, Option, type Command } from 'commander';
import { loadConfig } from '../../../config';
import { userIdSchema } from '../../../domain/policy';
import { apiKeyId, isApiKeyId, isWellFormedApiKey } from '../../http/auth/apiKeys';
import { ApiKeyStore, type ApiKeyInfo } from '../../http/auth/apiKeyStore';
import { migrate } from '../../postgres/migrate';
import { openDatabase } from '../../postgres/openDatabase';
import { printJson } from '../printJson';
import { integerOption } from '../cliOptions';

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

async function withKeyStore<T>(work: (store: ApiKeyStore) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const database = await openDatabase(config, { onMessage: (line) => process.stderr.write(`${line}\n`) });
  try {
    await migrate(database.pool);
    return await work(new ApiKeyStore(database.pool));
  } finally {
    await database.close();
  }
}

const COLUMNS = ['KEY ID', 'ROLE', 'USER', 'NAME', 'CREATED', 'REVOKED'] as const;

/** A plain aligned table (names are free text: control characters are shown as `?`). */
function keysTable(keys: readonly ApiKeyInfo[]): string {
  const clean = (text: string) => text.replace(/\p{Cc}/gu, '?');
  const rows = keys.map((key) =>
    [key.keyId, key.role, key.userId ?? '-', key.name ?? '-', key.createdAt, key.revokedAt ?? '-'].map(clean),
  );
  const widths = COLUMNS.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(COLUMNS), ...rows.map(line)].join('\n');
}

function describeKey(key: ApiKeyInfo): string {
  const who = key.userId === null ? '' : ` for user ${key.userId}`;
  const name = key.name === null ? '' : ` (${key.name})`;
  return `${key.role} key ${key.keyId}${who}${name}`;
}

/**
 * `ledger keys create --role trader --user U` / `--role ops`: prints the new key alone on the last line.
 * `ledger keys list [--json]`: ids and metadata, never a key or a hash.
 * `ledger keys revoke <keyId>`: revokes for good; running servers refuse it from their next request.
 */
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
      const created = await withKeyStore((store) =>
        store.create({
          role: options.role,
          ...(options.user === undefined ? {} : { userId: options.user }),
          ...(options.name === undefined ? {} : { name: options.name }),
        }),
      );
      const who = created.principal.userId === null ? '' : ` for user ${created.principal.userId}`;
      process.stdout.write(`created ${created.principal.role} key ${created.principal.keyId}${who}\n`);
      process.stdout.write(`${created.key}\n`);
    });

  keys
    .command('list')
    .description('list API keys, newest first: key id, role, user, name, created, revoked (never the keys)')
    .option('--json', 'print the keys as JSON')
    .option('--limit <n>', 'at most this many keys (default 1000)', integerOption(1, 10_000))
    .action(async (options: { json?: boolean; limit?: number }) => {
      const list = await withKeyStore((store) =>
        store.list(options.limit === undefined ? {} : { limit: options.limit }),
      );
      if (options.json) {
        printJson({ keys: list });
        return;
      }
      process.stdout.write(`${keysTable(list)}\n`);
      const limit = options.limit ?? 1_000;
      if (list.length >= limit) process.stderr.write(`(showing the newest ${limit}; see --limit)\n`);
    });

  keys
    .command('revoke')
    .description(
      'revoke an API key for good: running servers refuse it from their next request (exit 1: unknown or already revoked)',
    )
    .argument('<keyId>', 'the key id shown by `keys list` (e.g. tl_AbCdEfGh); a whole key works too')
    .action(async (raw: string, _options: unknown, command: Command) => {
      // A whole key (e.g. found in a leak, pasted with a blank or a newline) names its key too; it is
      // never echoed. Anything that is neither a key id nor a whole key may be most of a key (cut
      // short): refused without echoing it.
      const given = raw.trim();
      const keyId = isWellFormedApiKey(given) ? apiKeyId(given) : given;
      if (keyId !== given) process.stderr.write(`that is a whole API key; revoking its id ${keyId}\n`);
      else if (!isApiKeyId(given)) {
        command.error(
          'error: that is not a key id (tl_ and 8 characters, see `ledger keys list`) nor a whole API key; it is not shown here',
          { exitCode: 2 },
        );
      }
      // ApiKeyNotFound / ApiKeyAlreadyRevoked reach main(): one line on stderr and exit code 1.
      const revoked = await withKeyStore((store) => store.revoke(keyId));
      process.stdout.write(`revoked ${describeKey(revoked)} at ${revoked.revokedAt}\n`);
    });
}
