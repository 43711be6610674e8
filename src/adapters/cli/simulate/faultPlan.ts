import { createHash } from 'node:crypto';
import { SeededRandom } from '../../exchange/simulator/seededRandom';

/**
 * The faults of a staging run: every kind the simulator can script, plus the submitting worker dying
 * between recording SUBMITTING and sending. Drawn per exchange call from the seed, the execution and
 * the call's number within that execution — never from the order in which concurrent calls happen to
 * reach the simulator — so the same seed puts the same faults on the same calls at any concurrency.
 */
export const SIMULATED_FAULT_KINDS = [
  'delay',
  'slow_response',
  'timeout',
  'drop_after_commit',
  'error_before_commit',
  'error_after_commit',
  'worker_death',
] as const;
export type SimulatedFaultKind = (typeof SIMULATED_FAULT_KINDS)[number];

/** The exchange calls that carry an execution and so may fail for it. */
export type FaultableCall = 'place_order' | 'get_order' | 'list_orders';

export interface PlannedFault {
  readonly kind: SimulatedFaultKind;
  /** delay / slow_response: how long the simulator holds the request before processing it. */
  readonly delayMs: number;
  readonly status: number;
  readonly errorCode: number;
}

export interface FaultPlanOptions {
  readonly seed: number;
  readonly faultRate: number;
  /** The client's timeout: a slow response takes longer than this, a delay less. */
  readonly clientTimeoutMs: number;
}

function randomFor(seed: number, clientOrderId: string, callIndex: number): SeededRandom {
  const digest = createHash('sha256').update(`${seed}:${clientOrderId}:${callIndex}`).digest();
  return new SeededRandom(digest.readUInt32BE(0));
}

export function planFault(
  options: FaultPlanOptions,
  call: FaultableCall,
  clientOrderId: string,
  callIndex: number,
): PlannedFault | undefined {
  const random = randomFor(options.seed, clientOrderId, callIndex);
  if (options.faultRate <= 0 || random.next() >= options.faultRate) return undefined;
  // A worker can only die on its way to send an order; lookups get the other kinds.
  const kinds =
    call === 'place_order'
      ? SIMULATED_FAULT_KINDS
      : SIMULATED_FAULT_KINDS.filter((kind) => kind !== 'worker_death');
  const kind = kinds[Math.floor(random.next() * kinds.length)] ?? 'delay';
  const delayMs =
    kind === 'delay'
      ? random.int(20, Math.max(40, Math.floor(options.clientTimeoutMs / 4)))
      : kind === 'slow_response'
        ? options.clientTimeoutMs + random.int(200, 500)
        : 0;
  const [status, errorCode] =
    kind === 'error_before_commit'
      ? random.next() < 0.5
        ? [503, 107]
        : [503, 108]
      : random.next() < 0.5
        ? [500, 101]
        : [503, 109];
  return { kind, delayMs, status, errorCode };
}
