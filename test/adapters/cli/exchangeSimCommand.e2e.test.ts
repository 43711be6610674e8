import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';

describe('ledger exchange-sim', () => {
  it('prints the URL, serves Bitvavo REST until SIGTERM, then stops cleanly', async () => {
    const child = spawn(
      process.execPath,
      ['bin/ledger.mjs', 'exchange-sim', '--port', '0', '--seed', '5', '--no-price-drift'],
      {
        env: { ...process.env, LOG_LEVEL: 'silent', EXCHANGE: 'simulated' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no URL printed; stderr: ${stderr}`)), 20_000);
        child.stdout.on('data', () => {
          const match = /listening on (http:\/\/\S+\/v2)\n/.exec(stdout);
          if (match?.[1] !== undefined && stdout.includes('/_sim\n')) {
            clearTimeout(timer);
            resolve(match[1]);
          }
        });
      });
      expect(stdout).toContain('/_sim');
      const price = await fetch(`${url}/ticker/price?market=BTC-EUR`);
      expect(await price.json()).toEqual({ market: 'BTC-EUR', price: '60000' });
      const noAuth = await fetch(`${url}/balance`);
      expect(noAuth.status).toBe(403);
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
    expect(stdout).toContain('stopped');
  });

  it('rejects a bad option with a usage error, also an empty or exponent number (Number() read them as 0 and 1000)', async () => {
    for (const args of [
      ['--fault-rate', '2'],
      ['--port', ''],
      ['--port', '8e3'],
      ['--fault-rate', ''],
    ]) {
      const child = spawn(process.execPath, ['bin/ledger.mjs', 'exchange-sim', ...args], {
        env: { ...process.env, LOG_LEVEL: 'silent' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const [code] = (await once(child, 'exit')) as [number | null];
      expect({ args, code }).toEqual({ args, code: 2 });
    }
  });
});
