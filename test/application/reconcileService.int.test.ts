import fc from 'fast-check';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExecutionRepository } from '../../src/application/executions/executionRepository';
import { ReconcileService, type ReconcileReport } from '../../src/application/reconcile/reconcileService';
import { systemClock } from '../../src/adapters/clock/systemClock';
import { executionStreamName, fromRecordedEvent, replayExecution } from '../../src/domain/execution';
import type { FaultSpec } from '../../src/adapters/exchange/simulator/SimFaults';
import { marketBuy, simOrdersFor, startTestApp, type TestApp } from '../support/appHarness';

type Scenario = 'found' | 'resend';

/** The fault that leaves a submission SUBMITTING: placed but unanswered, or certainly not placed. */
const FAULTS: Record<Scenario, FaultSpec> = {
  found: { kind: 'drop_after_commit', method: 'POST', path: '/order' },
  resend: { kind: 'error_before_commit', method: 'POST', path: '/order', status: 503, errorCode: 107 },
};

/**
 * Every listed method of `target` waits for the scheduler twice: before it starts and before its
 * caller sees the result. The real I/O runs in between, so fast-check chooses the order in which two
 * rounds reach the store and the exchange, and the order in which they learn the answers.
 */
function scheduled<T extends object>(
  s: fc.Scheduler,
  target: T,
  methods: readonly string[],
  label: string,
): T {
  return new Proxy(target, {
    get(object, property, receiver) {
      const value = Reflect.get(object, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => Promise<unknown>;
      if (!methods.includes(String(property))) return method.bind(object);
      return async (...args: unknown[]) => {
        await s.schedule(Promise.resolve(), `${label}.${String(property)}:start`);
        const running = method.apply(object, args);
        // fast-check attaches its handlers only when it releases the task: until then a rejection
        // (a lost append race) would count as unhandled. The caller still sees it through schedule().
        running.catch(() => undefined);
        return s.schedule(running, `${label}.${String(property)}:end`);
      };
    },
  });
}

/** TEST 3: two reconciles of one execution in parallel never double-append or double-send. */
describe('reconcile locking', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  const silent = pino({ level: 'silent' });
  const reconcilerWith = (store = t.app.context.eventStore, exchange = t.app.context.exchange.exchange) =>
    new ReconcileService({
      repository: new ExecutionRepository(store),
      exchange,
      control: t.app.services.control,
      policy: t.app.services.policy,
      balanceBook: t.app.services.balanceBook,
      clock: systemClock,
      logger: silent,
      settings: t.app.context.reconcileSettings,
      // The scheduler may hold an intent for long; there is no crash to guard against here.
      maxIntentAgeMs: 60_000,
    });

  /** A submission left SUBMITTING by the scenario's fault. */
  const pendingExecution = async (scenario: Scenario): Promise<string> => {
    await t.control.faults([FAULTS[scenario]]);
    const body = marketBuy();
    const response = await t.request('POST', '/v1/executions', { key: t.keys.alice, body });
    expect(response.status).toBe(202);
    return body['clientOrderId'] as string;
  };

  /** The stream replays (a legal history), holds one acknowledgement and at most one re-send; one order. */
  const assertSingle = async (id: string, reports: readonly ReconcileReport[]) => {
    const recorded = await t.app.context.eventStore.readStream(executionStreamName(id));
    const state = replayExecution(recorded.map((event) => fromRecordedEvent(event)));
    const types = recorded.map((event) => event.type);
    expect(types.filter((type) => type === 'Submitted')).toHaveLength(1);
    expect(types.filter((type) => type === 'SubmissionRetried').length).toBeLessThanOrEqual(1);
    expect(state.status).toBe('FILLED');
    expect(reports.filter((report) => report.resent).length).toBeLessThanOrEqual(1);
    const orders = await simOrdersFor(t.control, id);
    expect(orders).toHaveLength(1);
    if (state.status !== 'NONE') expect(state.exchangeOrderId).toBe(orders[0]!['orderId']);
    return types;
  };

  for (const scenario of ['found', 'resend'] as const) {
    it(`two rounds started together (${scenario}): one records, the other appends and sends nothing`, async () => {
      const actions = new Set<string>();
      for (let run = 0; run < 10; run++) {
        const id = await pendingExecution(scenario);
        const reports = await Promise.all([reconcilerWith().reconcile(id), reconcilerWith().reconcile(id)]);
        for (const report of reports) actions.add(report.action);
        await assertSingle(id, reports);
      }
      expect(actions.has(scenario)).toBe(true);
    });

    it(`fc.scheduler() interleavings of two rounds (${scenario}) never double-append or double-send`, async () => {
      const actions = new Set<string>();
      await fc.assert(
        fc.asyncProperty(fc.scheduler(), async (s) => {
          const id = await pendingExecution(scenario);
          const round = (label: string) =>
            reconcilerWith(
              scheduled(s, t.app.context.eventStore, ['readStream', 'appendToStream'], `${label}.store`),
              scheduled(
                s,
                t.app.context.exchange.exchange,
                ['getOrderByClientOrderId', 'listOrders', 'placeOrder'],
                `${label}.exchange`,
              ),
            ).reconcile(id);
          const reports = await s.waitFor(Promise.all([round('A'), round('B')]));
          for (const report of reports) actions.add(report.action);
          await assertSingle(id, reports);
        }),
        { numRuns: 25 },
      );
      // The interleavings reached both outcomes of a race: a winner, and a loser that saw it.
      expect(actions.has(scenario)).toBe(true);
      expect(actions.has('concurrent') || actions.has('not_in_flight')).toBe(true);
    });
  }
});
