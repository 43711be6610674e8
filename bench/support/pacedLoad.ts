import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'pacedLoadWorker.cjs');

export interface PacedLoadResult {
  readonly offeredPerS: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly statuses: Record<string, number>;
  readonly errors: number;
}

export interface PacedLoadOptions {
  readonly url: string;
  readonly key: string;
  readonly ratePerS: number;
  readonly durationS: number;
  /** Requests beyond this many in flight wait (their latency still counts from their due time). */
  readonly maxConnections: number;
  /** JSON body with `__CLIENT_ORDER_ID__` where each request puts a fresh uuid. */
  readonly bodyTemplate: string;
}

function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}

/**
 * POST /v1/executions at a constant rate (one request every 1000 / ratePerS ms), from a worker thread
 * so that the generator does not share the server's event loop. autocannon's `overallRate` is not
 * this: it sends each second's quota back to back at the start of the second (a burst of 200).
 */
export async function pacedLoad(options: PacedLoadOptions): Promise<PacedLoadResult> {
  const worker = new Worker(WORKER, { workerData: options });
  const result = await new Promise<{
    latenciesMs: number[];
    statuses: Record<string, number>;
    errors: number;
    elapsedS: number;
    sent: number;
  }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the load worker exited (${code})`)));
  });
  await worker.terminate();
  const sorted = [...result.latenciesMs].sort((a, b) => a - b);
  return {
    offeredPerS: result.sent / options.durationS,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    maxMs: sorted.at(-1) ?? Number.NaN,
    statuses: result.statuses,
    errors: result.errors,
  };
}
