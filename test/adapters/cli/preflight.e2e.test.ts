import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../support/testDatabase';
import { runLedger } from './support/runLedger';

const BIN = path.resolve(import.meta.dirname, '../../../bin/ledger.mjs');

let database: TestDatabase;
let webhook: Server;
const alerts: string[] = [];
let service: ChildProcess | undefined;
let serviceUrl = '';
let env: Record<string, string>;

/** `ledger serve` as a child process on a free port; resolves with its URL once it listens. */
function startService(serviceEnv: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'serve'], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...serviceEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    service = child;
    let output = '';
    const timer = setTimeout(() => reject(new Error(`ledger serve did not start:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => reject(new Error(`ledger serve exited with ${code}:\n${output}`)));
  });
}

beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 2 });
  webhook = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      alerts.push(body);
      response.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
  const address = webhook.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  env = {
    DATABASE_URL: database.connectionString,
    ALERT_WEBHOOK_URL: `http://127.0.0.1:${port}/hooks/ops`,
    RECONCILE_INTERVAL_MS: '500',
  };
  serviceUrl = await startService({ ...env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'silent' });
});

afterAll(async () => {
  if (service && service.exitCode === null) {
    const exited = new Promise((resolve) => service!.once('exit', resolve));
    service.kill('SIGTERM');
    await exited;
  }
  await new Promise((resolve) => webhook?.close(resolve));
  await database?.drop();
});

describe('ledger preflight as a child process against a freshly started service', () => {
  it('is all ✅ with an ops key, a reachable webhook and a real kill-switch round trip', async () => {
    const keys = await runLedger(['keys', 'create', '--role', 'ops', '--name', 'preflight-test'], env);
    expect(keys.code, keys.stderr).toBe(0);
    const apiKey = keys.stdout.trim().split('\n').at(-1)!;

    const run = await runLedger(
      ['preflight', '--url', serviceUrl, '--send-test-alert', '--test-kill-switch', '--json'],
      { ...env, LEDGER_API_KEY: apiKey },
      { timeoutMs: 90_000 },
    );
    const body = JSON.parse(run.stdout) as {
      ok: boolean;
      checks: { section: string; name: string; ok: boolean; detail: string }[];
    };
    const failed = body.checks.filter((item) => !item.ok);
    expect(failed, JSON.stringify(failed)).toEqual([]);
    expect(run.code).toBe(0);
    expect(body.checks.map((item) => item.section)).toEqual(
      expect.arrayContaining(['database', 'code', 'operations']),
    );
    // The service registered every job in job_heartbeats, and is the one live instance running them.
    expect(body.checks.find((item) => item.name === 'jobs registered on a live instance')?.detail).toMatch(
      /^invariants ×1, promotions ×1, stats ×1, reconcile ×1, fills ×1 \(1 live instance/,
    );
    expect(body.checks.find((item) => item.name === 'kill switch path')?.detail).toMatch(
      /engaged, refused \(KILL_SWITCH\) and released/,
    );
    expect(alerts.some((alert) => alert.includes('preflight: test alert'))).toBe(true);

    // The switch is released again: the service takes orders.
    const killSwitch = await fetch(`${serviceUrl}/v1/ops/kill-switch`, {
      headers: { authorization: `Bearer ${apiKey}` },
    });
    expect(((await killSwitch.json()) as { engaged: boolean }).engaged).toBe(false);
  });

  it('prints ❌ with the reason and exits 1 when the key is refused', async () => {
    const run = await runLedger(['preflight', '--url', serviceUrl, '--jobs-wait', '0'], {
      ...env,
      LEDGER_API_KEY: 'tl_not_a_real_key',
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/❌ ops API key accepted: the key was refused/);
    expect(run.stdout).toMatch(/✅ unique constraint on trade_executions\.client_order_id/);
    expect(run.stdout).toMatch(/NOT ready/);
  });

  it('after a graceful stop of the only instance: its heartbeats are gone and the jobs check fails', async () => {
    const before = await database.pool.query('SELECT 1 FROM job_heartbeats');
    expect(before.rowCount).toBe(5);
    const exited = new Promise((resolve) => service!.once('exit', resolve));
    service!.kill('SIGTERM');
    await exited;
    const after = await database.pool.query('SELECT 1 FROM job_heartbeats');
    expect(after.rowCount).toBe(0);

    const run = await runLedger(['preflight', '--url', serviceUrl, '--jobs-wait', '0'], env);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /❌ jobs registered on a live instance: invariants: not registered on any instance .*; fills: not registered on any instance/,
    );
  });
});
