import { spawn } from 'node:child_process';

/**
 * The V8 old-space limit `ledger rebuild` runs under by default. A rebuild keeps a few pages of
 * events and the states of in-flight executions (bounded by the state cache): about 30 MB live
 * whatever the number of events. Without a limit V8 grows its heap lazily, to hundreds of MB of
 * garbage before a full collection; with one, peak RSS stays near 160 MB + code (measured under 200 MB
 * for a million events), and a live set that grew with the events would fail loudly with
 * out-of-memory instead of swapping.
 */
export const DEFAULT_REBUILD_HEAP_MB = 160;

function heapFlag(heapMb: number): string {
  return `--max-old-space-size=${heapMb}`;
}

/** True when this process already runs with that old-space limit. */
export function runsWithHeapLimit(heapMb: number): boolean {
  return process.execArgv.includes(heapFlag(heapMb));
}

/**
 * Runs this same command again in a child process with `--max-old-space-size=<heapMb>` (V8 fixes its
 * heap limits at start-up, so they cannot be set from inside), stdin/stdout/stderr shared, and
 * resolves to the child's exit code. Ctrl-C reaches both through the terminal's process group; a
 * SIGTERM sent to this process alone is passed on.
 */
export function rerunWithHeapLimit(heapMb: number): Promise<number> {
  const child = spawn(process.execPath, [heapFlag(heapMb), ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
  });
  const forward = () => child.kill('SIGTERM');
  process.on('SIGTERM', forward);
  return new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      process.off('SIGTERM', forward);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}
