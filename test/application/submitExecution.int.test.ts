import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExecutionRepository } from '../../src/application/executions/executionRepository';
import { SubmitExecutionService } from '../../src/application/executions/submitExecution';
import { systemClock } from '../../src/adapters/clock/systemClock';
import type { ExecutionProposal } from '../../src/domain/execution';
import type { EventStore } from '../../src/domain/ports/eventStore';
import { marketBuy, simOrdersFor, startTestApp, type TestApp } from '../support/appHarness';

/** The submit service's own guards, below the HTTP layer. */
describe('SubmitExecutionService', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  /** The app's store, with appends that take `delayMs`. */
  const slowAppends = (store: EventStore, delayMs: number): EventStore =>
    new Proxy(store, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver) as unknown;
        if (property !== 'appendToStream' || typeof value !== 'function') {
          return typeof value === 'function'
            ? (value as (...args: unknown[]) => unknown).bind(target)
            : value;
        }
        return async (...args: unknown[]) => {
          await new Promise((resolve) => setTimeout(resolve, delayMs));
          return (value as (...args: unknown[]) => Promise<unknown>).apply(target, args);
        };
      },
    });

  it('does not send an order whose intent took too long to record: 202, nothing sent, reconcile resolves it', async () => {
    const { services, context } = t.app;
    const submit = new SubmitExecutionService({
      repository: new ExecutionRepository(slowAppends(context.eventStore, 150)),
      exchange: context.exchange.exchange,
      control: services.control,
      policy: services.policy,
      marketData: services.marketData,
      balanceBook: services.balanceBook,
      readiness: context.readiness,
      clock: systemClock,
      logger: pino({ level: 'silent' }),
      maxIntentAgeMs: 100,
      balanceRecheckMinAgeMs: 1_000,
    });
    const body = marketBuy();
    const proposal: ExecutionProposal = {
      clientOrderId: body['clientOrderId'] as string,
      userId: 'alice',
      market: 'BTC-EUR',
      side: 'buy',
      orderType: 'market',
      amount: null,
      amountQuote: '10',
      price: null,
      expiresAt: body['expiresAt'] as string,
    };
    const outcome = await submit.submit({ proposal, actor: 'trader:test' });
    expect(outcome.kind).toBe('pending');
    expect(await simOrdersFor(t.control, proposal.clientOrderId)).toHaveLength(0);

    // No send outcome was recorded: only the window (from the intent) and real 240s can prove it was not placed.
    let status = 'SUBMITTING';
    for (let round = 0; round < 20 && status === 'SUBMITTING'; round++) {
      const report = await services.reconcile.reconcile(proposal.clientOrderId);
      status = report.execution.status;
      if (status === 'SUBMITTING') await new Promise((resolve) => setTimeout(resolve, 400));
    }
    expect(status).toBe('FILLED');
    expect(await simOrdersFor(t.control, proposal.clientOrderId)).toHaveLength(1);
  });
});
