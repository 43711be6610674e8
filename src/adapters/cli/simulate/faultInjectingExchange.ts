import { AsyncLocalStorage } from 'node:async_hooks';
import type {
  Exchange,
  ExchangeResult,
  ListOrdersQuery,
  PlaceOrderRequest,
} from '../../../domain/ports/exchange';
import type { FaultSignals } from './faultSignals';
import {
  planFault,
  type FaultableCall,
  type FaultPlanOptions,
  type PlannedFault,
  type SimulatedFaultKind,
} from './faultPlan';
import { KeyedGate } from './keyedGate';

/** The submitting (or re-sending) worker "died" after recording its intent and before sending. */
export class SimulatedWorkerDeath extends Error {
  override readonly name = 'SimulatedWorkerDeath';
  constructor(readonly clientOrderId: string) {
    super(`simulated worker death before sending ${clientOrderId}`);
  }
}

/** Which execution the current async work is for (GET /orders carries no clientOrderId of its own). */
export const simulationExecution = new AsyncLocalStorage<{ readonly clientOrderId: string }>();

export interface FaultInjectorOptions {
  readonly plan: FaultPlanOptions;
  /** The simulator's control API root (…/_sim). */
  readonly controlUrl: string;
  readonly signals: FaultSignals;
}

export type FaultCounts = Record<FaultableCall, Partial<Record<SimulatedFaultKind | 'none', number>>>;

const SIM_FAULT_KIND: Record<Exclude<SimulatedFaultKind, 'worker_death'>, string> = {
  delay: 'delay',
  slow_response: 'delay',
  timeout: 'timeout',
  drop_after_commit: 'drop_after_commit',
  error_before_commit: 'error_before_commit',
  error_after_commit: 'error_after_commit',
};

/** After a slow response the simulator still commits the request; wait this much past its delay. */
const LATE_COMMIT_MARGIN_MS = 250;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The exchange port as the app sees it during `ledger simulate`: the real Bitvavo client against the
 * simulator, with the planned fault of each call scripted into the simulator (POST /_sim/faults) just
 * before that call and only for it, or — for a worker death — no call at all.
 */
export class FaultInjectingExchange implements Exchange {
  private readonly gate = new KeyedGate();
  private readonly callIndexes = new Map<string, number>();
  private readonly lateCommits = new Set<Promise<void>>();
  readonly counts: FaultCounts = { place_order: {}, get_order: {}, list_orders: {} };

  constructor(
    private readonly inner: Exchange,
    private readonly options: FaultInjectorOptions,
  ) {}

  /** Resolves when every request the simulator is still going to commit late has been committed. */
  async settled(): Promise<void> {
    for (let round = 0; round < 100 && this.lateCommits.size > 0; round++) {
      await Promise.all([...this.lateCommits]);
    }
  }

  placeOrder(request: PlaceOrderRequest) {
    return this.faultable('place_order', 'POST', '/v2/order', request.clientOrderId, () =>
      this.inner.placeOrder(request),
    );
  }

  getOrderByClientOrderId(market: string, clientOrderId: string) {
    return this.faultable('get_order', 'GET', '/v2/order', clientOrderId, () =>
      this.inner.getOrderByClientOrderId(market, clientOrderId),
    );
  }

  listOrders(market: string, query: ListOrdersQuery) {
    const clientOrderId = simulationExecution.getStore()?.clientOrderId;
    const call = () => this.inner.listOrders(market, query);
    if (clientOrderId === undefined) return this.gate.shared('GET /v2/orders', call);
    return this.faultable('list_orders', 'GET', '/v2/orders', clientOrderId, call);
  }

  cancelOrder(market: string, id: { readonly orderId: string } | { readonly clientOrderId: string }) {
    return this.gate.shared('DELETE /v2/order', () => this.inner.cancelOrder(market, id));
  }

  getBalance(symbol?: string) {
    return this.gate.shared('GET /v2/balance', () => this.inner.getBalance(symbol));
  }

  getMarkets() {
    return this.gate.shared('GET /v2/markets', () => this.inner.getMarkets());
  }

  getTickerPrice(market: string) {
    return this.gate.shared('GET /v2/ticker/price', () => this.inner.getTickerPrice(market));
  }

  private faultable<T>(
    call: FaultableCall,
    method: string,
    path: string,
    clientOrderId: string,
    action: () => Promise<ExchangeResult<T>>,
  ): Promise<ExchangeResult<T>> {
    // Numbered synchronously at the call, so that calls started together (a lookup and a sweep)
    // get the same numbers in every run.
    const callIndex = this.callIndexes.get(clientOrderId) ?? 0;
    this.callIndexes.set(clientOrderId, callIndex + 1);
    const fault = planFault(this.options.plan, call, clientOrderId, callIndex);
    const counts = this.counts[call];
    counts[fault?.kind ?? 'none'] = (counts[fault?.kind ?? 'none'] ?? 0) + 1;
    const key = `${method} ${path}`;
    if (fault === undefined) return this.gate.shared(key, action);
    if (fault.kind === 'worker_death') return Promise.reject(new SimulatedWorkerDeath(clientOrderId));
    return this.withFault(key, method, path, fault, action);
  }

  private async withFault<T>(
    key: string,
    method: string,
    path: string,
    fault: PlannedFault,
    action: () => Promise<ExchangeResult<T>>,
  ): Promise<ExchangeResult<T>> {
    const release = await this.gate.exclusive(key);
    try {
      await this.script(method, path, fault);
      const taken = this.options.signals.waitFor(method, path);
      const result = action();
      const settled = result.then(
        () => 'done' as const,
        () => 'done' as const,
      );
      if ((await Promise.race([taken.then(() => 'taken' as const), settled])) === 'done') {
        this.options.signals.cancel(method, path);
      }
      if (fault.kind === 'slow_response') {
        // The simulator commits after its delay even though the client has given up: the virtual
        // clock must not move before that, or the late request would fall outside its window.
        const late = sleep(fault.delayMs + LATE_COMMIT_MARGIN_MS);
        this.lateCommits.add(late);
        void late.then(() => this.lateCommits.delete(late));
      }
      release();
      return await result;
    } finally {
      release();
    }
  }

  private async script(method: string, path: string, fault: PlannedFault): Promise<void> {
    if (fault.kind === 'worker_death') return;
    const spec = {
      kind: SIM_FAULT_KIND[fault.kind],
      method,
      path,
      count: 1,
      ...(fault.kind === 'delay' || fault.kind === 'slow_response' ? { ms: fault.delayMs } : {}),
      ...(fault.kind.startsWith('error_') ? { status: fault.status, errorCode: fault.errorCode } : {}),
    };
    const response = await fetch(`${this.options.controlUrl}/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ faults: [spec] }),
    });
    if (!response.ok)
      throw new Error(
        `the simulator refused a scripted fault: HTTP ${response.status} ${await response.text()}`,
      );
  }
}
