import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const BIN = path.join(ROOT, 'bin/ledger.mjs');

/** The environment of `npm start` on a fresh machine: embedded defaults, a data dir of its own, any port. */
function embeddedEnv(dataDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LEDGER_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn' };
  for (const key of [
    'DATABASE_URL',
    'EVENTSTORE_URL',
    'EXCHANGE',
    'BITVAVO_API_URL',
    'BITVAVO_API_KEY',
    'BITVAVO_API_SECRET',
  ]) {
    delete env[key];
  }
  return env;
}

interface Served {
  readonly child: ChildProcessWithoutNullStreams;
  readonly url: string;
  readonly stdout: () => string;
  readonly exited: Promise<number | null>;
}

/** `node bin/ledger.mjs serve` (what `npm start` runs), resolved once it prints its URL. */
async function serve(env: NodeJS.ProcessEnv): Promise<Served> {
  const child = spawn(process.execPath, [BIN, 'serve'], { cwd: ROOT, env });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${out}\n${err}`)), 100_000);
    const check = () => {
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}: ${out}\n${err}`));
    });
  });
  return { child, url, stdout: () => out, exited };
}

function run(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('ledger serve (npm start) and ledger keys create', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-serve-'));
  fs.chmodSync(dataDir, 0o777);
  const env = embeddedEnv(dataDir);
  const children: ChildProcessWithoutNullStreams[] = [];
  afterAll(() => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts on embedded defaults, prints the URL and two keys once, trades for demo, and stops on SIGTERM', async () => {
    const served = await serve(env);
    children.push(served.child);
    const out = served.stdout();
    const ops = /^\s+ops\s+(tl_\S+)$/m.exec(out)?.[1];
    const trader = /^\s+trader \(user demo\)\s+(tl_\S+)$/m.exec(out)?.[1];
    expect(ops).toBeDefined();
    expect(trader).toBeDefined();
    expect(out).toContain(`API docs: ${served.url}/docs`);

    expect(await (await fetch(`${served.url}/healthz`)).json()).toEqual({ status: 'ok' });
    const submitted = await fetch(`${served.url}/v1/executions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${trader}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        clientOrderId: randomUUID(),
        market: 'BTC-EUR',
        side: 'buy',
        orderType: 'market',
        amountQuote: '10',
        expiresAt: new Date(Date.now() + 60_000).toISOString(),
      }),
    });
    expect(submitted.status).toBe(201);
    const killSwitch = await fetch(`${served.url}/v1/ops/kill-switch`, {
      headers: { authorization: `Bearer ${ops}` },
    });
    expect(killSwitch.status).toBe(200);

    served.child.kill('SIGTERM');
    expect(await served.exited).toBe(0);
    expect(served.stdout()).toMatch(/SIGTERM: stopping[\s\S]*stopped\n$/);
  });

  it('keys create prints the key alone on the last line; a second serve prints no keys and accepts it', async () => {
    const created = await run(['keys', 'create', '--role', 'ops', '--name', 'alice'], env);
    expect(created.code).toBe(0);
    const lines = created.stdout.trimEnd().split('\n');
    const key = lines.at(-1)!;
    expect(key).toMatch(/^tl_[A-Za-z0-9_-]{32}$/);

    const trader = await run(['keys', 'create', '--role', 'trader', '--user', 'u-42'], env);
    expect(trader.code).toBe(0);
    expect(trader.stdout.trimEnd().split('\n').at(-1)).toMatch(/^tl_[A-Za-z0-9_-]{32}$/);
    expect(trader.stdout).toContain('for user u-42');

    const missingUser = await run(['keys', 'create', '--role', 'trader'], env);
    expect(missingUser.code).toBe(2);
    expect(missingUser.stderr).toContain('--user is required');

    const served = await serve(env);
    children.push(served.child);
    expect(served.stdout()).not.toMatch(/tl_/);
    const markets = await fetch(`${served.url}/v1/ops/markets`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(markets.status).toBe(200);
    served.child.kill('SIGTERM');
    expect(await served.exited).toBe(0);
  });

  it('a SIGTERM while it starts (database up, service not yet) still stops the embedded PostgreSQL', async () => {
    const earlyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-serve-early-'));
    fs.chmodSync(earlyDir, 0o777);
    try {
      const child = spawn(process.execPath, [BIN, 'serve'], { cwd: ROOT, env: embeddedEnv(earlyDir) });
      children.push(child);
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      // The database is up (its line is printed) before migrations, the exchange and the HTTP server.
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('the embedded PostgreSQL did not start')), 100_000);
        child.stderr.on('data', (chunk: Buffer) => {
          if (/embedded PostgreSQL \S+ on 127\.0\.0\.1/.test(chunk.toString('utf8'))) {
            clearTimeout(timer);
            child.kill('SIGTERM');
            resolve();
          }
        });
      });
      expect(await exited).toBe(0);
      expect(out).toMatch(/SIGTERM: stopping/);
      expect(postgresProcessesFor(earlyDir)).toEqual([]);
    } finally {
      fs.rmSync(earlyDir, { recursive: true, force: true });
    }
  });
});

/** Process ids of postgres servers whose command line names a directory under `dir`. */
function postgresProcessesFor(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmdline.includes('postgres') && cmdline.includes(dir)) pids.push(Number(entry));
    } catch {
      // The process ended meanwhile.
    }
  }
  return pids;
}
