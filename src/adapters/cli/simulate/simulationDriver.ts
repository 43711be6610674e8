import type { ReconcileService } from '../../../application/reconcile/reconcileService';
import type { SubmitExecutionService } from '../../../application/executions/submitExecution';
import type { ExecutionProposal } from '../../../domain/execution';
import type { ManualClock } from '../../../domain/ports/clock';
import {
  simulationExecution,
  SimulatedWorkerDeath,
  type FaultInjectingExchange,
} from './faultInjectingExchange';
import type { PlannedExecution } from './simulationPlan';

export interface DriverSettings {
  readonly concurrency: number;
  /** The reconcile sweeper's cadence, in virtual time. */
  readonly reconcileIntervalMs: number;
  /** The sweeper only takes executions whose intent is older than this (as the real job does). */
  readonly reconcileMinAgeMs: number;
  /** After the last burst, reconciliation runs until nothing is in flight or this much virtual time passed. */
  readonly maxQuiescenceMs: number;
}

export interface DriverCounts {
  submitted: number;
  workerDeaths: number;
  reconcileRounds: number;
  reconcileErrors: number;
  submitErrors: number;
  /** Virtual time from the first burst to quiescence. */
  virtualMs: number;
  quiescent: boolean;
}

/** Up to `limit` at once, in order of the items; every item runs even when some fail. */
async function inParallel<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

const proposalOf = (planned: PlannedExecution): ExecutionProposal => ({
  clientOrderId: planned.clientOrderId,
  userId: planned.userId,
  market: planned.market,
  side: planned.side,
  orderType: planned.orderType,
  amount: planned.amount,
  amountQuote: planned.amountQuote,
  price: planned.price,
  expiresAt: planned.expiresAt,
});

/**
 * Runs the planned executions through the app's own services in virtual time: each burst at its
 * instant (the clock stands still while the burst's requests run in parallel), and between bursts
 * the reconcile sweeper's passes every `reconcileIntervalMs` while anything is SUBMITTING. The clock
 * only moves when nothing is in flight and the simulator has committed everything it will commit.
 */
export class SimulationDriver {
  /** SUBMITTING executions: clientOrderId → the plan's index (for a stable order) and the intent's time. */
  private readonly inFlight = new Map<string, { readonly index: number; readonly intentAtMs: number }>();
  readonly counts: DriverCounts = {
    submitted: 0,
    workerDeaths: 0,
    reconcileRounds: 0,
    reconcileErrors: 0,
    submitErrors: 0,
    virtualMs: 0,
    quiescent: false,
  };
  readonly errors: string[] = [];

  constructor(
    private readonly services: {
      readonly submit: SubmitExecutionService;
      readonly reconcile: ReconcileService;
    },
    private readonly clock: ManualClock,
    private readonly exchange: FaultInjectingExchange,
    private readonly settings: DriverSettings,
  ) {}

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  private noteError(error: unknown): void {
    if (this.errors.length < 20) this.errors.push((error as Error).message ?? String(error));
  }

  async runBurst(burst: readonly PlannedExecution[], onSubmitted?: () => void): Promise<void> {
    const atMs = burst[0]?.atMs;
    if (atMs === undefined) return;
    await this.advanceTo(atMs);
    await inParallel(burst, this.settings.concurrency, (planned) =>
      simulationExecution.run({ clientOrderId: planned.clientOrderId }, async () => {
        this.counts.submitted += 1;
        try {
          const outcome = await this.services.submit.submit({
            proposal: proposalOf(planned),
            actor: 'simulate',
          });
          if (outcome.kind !== 'key_reused' && outcome.execution.status === 'SUBMITTING') {
            this.inFlight.set(planned.clientOrderId, {
              index: planned.index,
              intentAtMs: this.clock.nowMs(),
            });
          }
        } catch (error) {
          if (error instanceof SimulatedWorkerDeath) {
            // The intent is recorded and nothing was sent: exactly what reconcile must sort out.
            this.counts.workerDeaths += 1;
            this.inFlight.set(planned.clientOrderId, {
              index: planned.index,
              intentAtMs: this.clock.nowMs(),
            });
          } else {
            this.counts.submitErrors += 1;
            this.noteError(error);
          }
        } finally {
          onSubmitted?.();
        }
      }),
    );
  }

  /** Moves virtual time to `targetMs`, running a sweeper pass at every interval while anything is in flight. */
  async advanceTo(targetMs: number): Promise<void> {
    for (
      let step = 0;
      this.inFlight.size > 0 && this.clock.nowMs() + this.settings.reconcileIntervalMs <= targetMs;
      step++
    ) {
      if (step > 1_000_000) throw new Error('simulation clock stuck');
      await this.exchange.settled();
      this.clock.advanceMs(this.settings.reconcileIntervalMs);
      await this.reconcilePass();
    }
    await this.exchange.settled();
    if (targetMs > this.clock.nowMs()) this.clock.setMs(targetMs);
  }

  /** Reconcile passes until nothing is SUBMITTING (or the bound is reached). */
  async quiesce(): Promise<void> {
    const untilMs = this.clock.nowMs() + this.settings.maxQuiescenceMs;
    while (this.inFlight.size > 0 && this.clock.nowMs() < untilMs) {
      await this.exchange.settled();
      this.clock.advanceMs(this.settings.reconcileIntervalMs);
      await this.reconcilePass();
    }
    await this.exchange.settled();
    this.counts.quiescent = this.inFlight.size === 0;
  }

  /** One sweeper pass: one round for each execution whose intent is old enough, oldest plan first. */
  private async reconcilePass(): Promise<void> {
    const nowMs = this.clock.nowMs();
    const due = [...this.inFlight.entries()]
      .filter(([, entry]) => nowMs - entry.intentAtMs >= this.settings.reconcileMinAgeMs)
      .sort(([, a], [, b]) => a.index - b.index)
      .map(([clientOrderId]) => clientOrderId);
    await inParallel(due, this.settings.concurrency, (clientOrderId) =>
      simulationExecution.run({ clientOrderId }, async () => {
        this.counts.reconcileRounds += 1;
        try {
          const report = await this.services.reconcile.reconcile(clientOrderId, {
            actor: 'simulate-sweeper',
          });
          if (report.execution.status !== 'SUBMITTING') this.inFlight.delete(clientOrderId);
        } catch (error) {
          if (error instanceof SimulatedWorkerDeath) this.counts.workerDeaths += 1;
          else {
            this.counts.reconcileErrors += 1;
            this.noteError(error);
          }
        }
      }),
    );
  }
}
