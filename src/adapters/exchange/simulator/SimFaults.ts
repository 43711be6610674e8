import { z } from 'zod';
import { SeededRandom } from './seededRandom';

export const FAULT_KINDS = [
  'delay',
  'timeout',
  'drop_after_commit',
  'error_before_commit',
  'error_after_commit',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** One entry of `POST /_sim/faults`. `method` / `path` may be `*` to match anything. */
export const faultSpecSchema = z.strictObject({
  kind: z.enum(FAULT_KINDS),
  method: z.string().min(1).max(10).optional(),
  path: z.string().min(1).max(200).optional(),
  count: z.number().int().min(1).max(10_000).optional(),
  ms: z.number().int().min(0).max(600_000).optional(),
  status: z.number().int().min(100).max(599).optional(),
  errorCode: z.number().int().min(0).optional(),
});
export const faultsBodySchema = z.strictObject({ faults: z.array(faultSpecSchema).min(1).max(100) });
export type FaultSpec = z.infer<typeof faultSpecSchema>;

/** What to do to one request. */
export interface FaultPlan {
  readonly kind: FaultKind;
  readonly ms: number;
  readonly status: number;
  readonly errorCode: number;
}

interface QueuedFault {
  readonly method: string;
  readonly path: string;
  remaining: number;
  readonly plan: FaultPlan;
}

const MAX_QUEUED = 1_000;
const DEFAULT_DELAY_MS = 1_000;

function defaultsFor(kind: FaultKind): { status: number; errorCode: number } {
  // Before commit: "overloaded, resubmit" (nothing was processed). After: "unknown error, may have succeeded".
  return kind === 'error_before_commit' ? { status: 503, errorCode: 107 } : { status: 500, errorCode: 101 };
}

function normalisePath(path: string): string {
  if (path === '*' || path === '/v2' || path.startsWith('/v2/')) return path;
  return `/v2${path.startsWith('/') ? '' : '/'}${path}`;
}

/**
 * Scripted faults (a FIFO of specs, each good for `count` matching requests) and, with `faultRate`,
 * random faults of every kind drawn from a PRNG seeded for reproducible runs.
 */
export class SimFaults {
  private queue: QueuedFault[] = [];
  private random: SeededRandom;

  constructor(
    private readonly seed: number,
    private readonly faultRate: number,
  ) {
    this.random = new SeededRandom(seed ^ 0xfa017);
  }

  reset(): void {
    this.queue = [];
    this.random = new SeededRandom(this.seed ^ 0xfa017);
  }

  /** Queues faults; returns how many are queued now. Beyond the bound, the rest are refused. */
  enqueue(specs: readonly FaultSpec[]): number | undefined {
    if (this.queue.length + specs.length > MAX_QUEUED) return undefined;
    for (const spec of specs) {
      const defaults = defaultsFor(spec.kind);
      this.queue.push({
        method: (spec.method ?? 'POST').toUpperCase(),
        path: normalisePath(spec.path ?? '/v2/order'),
        remaining: spec.count ?? 1,
        plan: {
          kind: spec.kind,
          ms: spec.ms ?? DEFAULT_DELAY_MS,
          status: spec.status ?? defaults.status,
          errorCode: spec.errorCode ?? defaults.errorCode,
        },
      });
    }
    return this.queue.length;
  }

  /** The fault for this request: the first queued match, else (maybe) a random one. */
  take(method: string, path: string): FaultPlan | undefined {
    const index = this.queue.findIndex(
      (f) => (f.method === '*' || f.method === method) && (f.path === '*' || f.path === path),
    );
    const queued = this.queue[index];
    if (queued !== undefined) {
      queued.remaining -= 1;
      if (queued.remaining <= 0) this.queue.splice(index, 1);
      return queued.plan;
    }
    if (this.faultRate <= 0 || this.random.next() >= this.faultRate) return undefined;
    const kind = this.random.pick(FAULT_KINDS as unknown as [FaultKind, ...FaultKind[]]);
    const [status, errorCode] =
      kind === 'error_before_commit'
        ? this.random.pick([
            [503, 107],
            [503, 108],
          ] as [[number, number], ...[number, number][]])
        : this.random.pick([
            [500, 101],
            [503, 109],
          ] as [[number, number], ...[number, number][]]);
    return { kind, ms: this.random.int(100, 2_000), status, errorCode };
  }
}
