import { execFile } from 'node:child_process';
import path from 'node:path';

export interface LedgerRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const BIN = path.resolve(import.meta.dirname, '../../../../bin/ledger.mjs');

/** `node bin/ledger.mjs ...args` as a real child process; never throws on a non-zero exit. */
export function runLedger(
  args: readonly string[],
  env: Record<string, string | undefined>,
  options: { timeoutMs?: number } = {},
): Promise<LedgerRun> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      {
        env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'silent', ...env },
        timeout: options.timeoutMs ?? 60_000,
        maxBuffer: 32 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          reject(new Error(`ledger ${args.join(' ')} did not finish: ${error.message}\n${stderr}`));
          return;
        }
        resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
      },
    );
  });
}
