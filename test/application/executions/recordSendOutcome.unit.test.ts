import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { ExecutionRepository } from '../../../src/application/executions/executionRepository';
import { recordSendOutcome } from '../../../src/application/executions/recordSendOutcome';
import {
  expectedRevisionOf,
  replayExecution,
  type Execution,
  type ExecutionEvent,
} from '../../../src/domain/execution';
import { WrongExpectedVersion } from '../../../src/domain/ports/eventStore';
import type { ExchangeOrder, ExchangeResult } from '../../../src/domain/ports/exchange';
import {
  CLIENT_ORDER_ID,
  exchangeFailure,
  exchangeOrder,
  isoAt,
  sampleEvent,
  T0,
  T0_MS,
} from '../../support/executionFixtures';

/** One execution stream in memory, with the expected-revision check of a real store. */
function memoryRepository(initial: readonly ExecutionEvent[]) {
  const events = [...initial];
  const repository = {
    load: async () => ({ state: replayExecution(events), recorded: [] }),
    append: async (_id: string, appended: readonly ExecutionEvent[], expected: 'no_stream' | bigint) => {
      const actual = events.length === 0 ? 'no_stream' : BigInt(events.length - 1);
      if (expected !== actual)
        throw new WrongExpectedVersion(`execution-${CLIENT_ORDER_ID}`, expected, actual);
      events.push(...appended);
      return { nextExpectedRevision: BigInt(events.length - 1) };
    },
  };
  return { events, repository: repository as unknown as ExecutionRepository };
}

const deps = (repository: ExecutionRepository) => ({
  repository,
  clock: { nowMs: () => T0_MS + 30_000 },
  logger: pino({ level: 'silent' }),
});

describe('recordSendOutcome: an answer that arrives after a re-send', () => {
  // The first send (made when only the intent was recorded) is slow; meanwhile reconcile gathered the
  // window evidence and re-sent (SubmissionRetried). The first send's late answer belongs to that
  // first send, not to the re-send whose own outcome is still unknown.
  const intent = sampleEvent('ExecutionSubmitting');
  const sentByUs = replayExecution([intent]) as Execution;
  const reconciledMeanwhile: ExecutionEvent[] = [
    intent,
    sampleEvent('ReconcileAttempted', { windowElapsed: true, at: isoAt(16_000) }),
    sampleEvent('ReconcileAttempted', { attempt: 2, windowElapsed: true, at: isoAt(17_000) }),
    sampleEvent('ReconcileAttempted', {
      attempt: 3,
      method: 'list_orders',
      httpStatus: null,
      errorCode: null,
      windowElapsed: true,
      at: isoAt(17_000),
    }),
    sampleEvent('SubmissionRetried', {
      evidence: 'window_elapsed_not_found',
      sentAt: isoAt(17_000),
      at: isoAt(17_000),
    }),
  ];

  it.each(['SOFT_NOT_EXECUTED', 'HARD', 'UNKNOWN', 'ALREADY_EXISTS'] as const)(
    'a late %s answer of the first send is not recorded against the re-send',
    async (errorClass) => {
      const { events, repository } = memoryRepository(reconciledMeanwhile);
      const result: ExchangeResult<ExchangeOrder> = exchangeFailure(errorClass);
      const state = await recordSendOutcome(deps(repository), sentByUs, T0, result);
      expect(events.map((event) => event.type)).toEqual(reconciledMeanwhile.map((event) => event.type));
      const stored = replayExecution(events) as Execution;
      // The re-send's outcome is still open: neither FAILED nor "not executed" on another send's word.
      expect(stored.status).toBe('SUBMITTING');
      expect(stored.lastSendOutcome).toBeNull();
      expect(state.status).toBe('SUBMITTING');
      expect(expectedRevisionOf(state)).toBe(expectedRevisionOf(stored));
    },
  );

  it('a late acknowledgement is still recorded: the order exists whichever send placed it', async () => {
    const { events, repository } = memoryRepository(reconciledMeanwhile);
    const state = await recordSendOutcome(deps(repository), sentByUs, T0, {
      ok: true,
      value: exchangeOrder({}),
    });
    expect(events.at(-1)?.type).toBe('Submitted');
    expect(state.status).toBe('SUBMITTED');
  });

  it('without a re-send in between, a lost race is decided again on the new state', async () => {
    const { events, repository } = memoryRepository(reconciledMeanwhile.slice(0, 2));
    await recordSendOutcome(deps(repository), sentByUs, T0, exchangeFailure('SOFT_NOT_EXECUTED'));
    expect(events.at(-1)?.type).toBe('SubmissionOutcomeUnknown');
    expect((replayExecution(events) as Execution).lastSendOutcome).toBe('SOFT_NOT_EXECUTED');
  });
});
