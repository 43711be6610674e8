import { describe, expect, it } from 'vitest';
import {
  ExecutionReplayFailed,
  expectedRevisionOf,
  initialExecutionState,
  replayExecution,
  type Execution,
  type ExecutionEvent,
} from '../../../src/domain/execution';
import {
  gateEvidence,
  HISTORY_TO,
  isoAt,
  REQUEST_HASH,
  sampleEvent,
  T0,
} from '../../support/executionFixtures';

function replayed(events: readonly ExecutionEvent[]): Execution {
  const state = replayExecution(events);
  if (state.status === 'NONE') throw new Error('expected an execution');
  return state;
}

function replayError(events: readonly ExecutionEvent[]): ExecutionReplayFailed {
  try {
    replayExecution(events);
  } catch (error) {
    expect(error).toBeInstanceOf(ExecutionReplayFailed);
    return error as ExecutionReplayFailed;
  }
  throw new Error('expected replay to fail');
}

const submitting = HISTORY_TO.SUBMITTING ?? [];
const submitted = HISTORY_TO.SUBMITTED ?? [];

describe('evolveExecution: what the state shows', () => {
  it('the intent carries the whole proposal and the gate evidence', () => {
    expect(replayed(submitting)).toEqual({
      status: 'SUBMITTING',
      clientOrderId: '5b6f2a1e-8c3d-4e7f-9a2b-1c3d4e5f6a7b',
      userId: 'user-1',
      market: 'BTC-EUR',
      side: 'buy',
      orderType: 'limit',
      amount: '0.001',
      amountQuote: null,
      price: '20000',
      expiresAt: isoAt(60_000),
      requestHash: REQUEST_HASH,
      gateEvidence,
      rejectCode: null,
      rejectReason: null,
      exchangeOrderId: null,
      exchangeStatus: null,
      submittingAt: T0,
      submittedAt: null,
      rejectedAt: null,
      lastSentAt: null,
      endedAt: null,
      endReason: null,
      abandonNote: null,
      abandonedBy: null,
      updatedAt: T0,
      reconcileAttempts: 0,
      retries: 0,
      neededReconciliation: false,
      lastSendOutcome: null,
      notFoundAfterWindowCount: 0,
      sweepNotListedAfterWindow: false,
      filledAmount: '0',
      filledAmountQuote: '0',
      feePaid: '0',
      feeCurrency: null,
      fillIds: [],
      lastError: null,
      version: 1,
    });
  });

  it('a refusal keeps its code and reason and ends there', () => {
    const state = replayed(HISTORY_TO.REJECTED ?? []);
    expect(state).toMatchObject({
      status: 'REJECTED',
      rejectCode: 'KILL_SWITCH',
      rejectedAt: T0,
      endedAt: T0,
    });
    expect(state.gateEvidence).toBeNull();
  });

  it('fills add up exactly (no floats) and their ids are kept once each', () => {
    const state = replayed([
      ...submitted,
      sampleEvent('FillRecorded', { fillId: 'a', amount: '0.0001', price: '20000.1', fee: '0.01' }),
      sampleEvent('FillRecorded', { fillId: 'b', amount: '0.0002', price: '20000.2', fee: '0.02' }),
    ]);
    expect(state).toMatchObject({
      status: 'PARTIALLY_FILLED',
      filledAmount: '0.0003',
      filledAmountQuote: '6.00005',
      feePaid: '0.03',
      feeCurrency: 'EUR',
      fillIds: ['a', 'b'],
      exchangeOrderId: 'order-1',
    });
  });

  it('the end event sets the exchange totals and the end time', () => {
    const state = replayed([...submitted, sampleEvent('Filled', {}, isoAt(9000))]);
    expect(state).toMatchObject({
      status: 'FILLED',
      filledAmount: '0.001',
      filledAmountQuote: '20',
      endedAt: isoAt(9000),
    });
  });

  it('a second FillRecorded with the same fill id fails replay (DUPLICATE_FILL), it is never counted twice', () => {
    const error = replayError([...submitted, sampleEvent('FillRecorded'), sampleEvent('FillRecorded')]);
    expect(error.code).toBe('DUPLICATE_FILL');
    expect(error.eventIndex).toBe(3);
  });

  it('fills or totals above the order amount fail replay (OVERFILL)', () => {
    expect(replayError([...submitted, sampleEvent('FillRecorded', { amount: '0.0011' })]).code).toBe(
      'OVERFILL',
    );
    expect(
      replayError([
        ...submitted,
        sampleEvent('FillRecorded', { amount: '0.0006' }),
        sampleEvent('FillRecorded', { fillId: 'fill-2', amount: '0.00041' }),
      ]).code,
    ).toBe('OVERFILL');
    expect(replayError([...submitted, sampleEvent('Cancelled', { filledAmount: '0.002' })]).code).toBe(
      'OVERFILL',
    );
  });

  it('an order by quote amount has no base amount to exceed', () => {
    const quoteOrder = sampleEvent('ExecutionSubmitting', {
      orderType: 'market',
      amount: null,
      amountQuote: '20',
      price: null,
    });
    const state = replayed([
      quoteOrder,
      sampleEvent('Submitted'),
      sampleEvent('FillRecorded', { amount: '5' }),
    ]);
    expect(state.filledAmount).toBe('5');
  });

  it('an unknown outcome records the send time; a later, more hopeful class never overrides a less safe one', () => {
    const unknown = sampleEvent('SubmissionOutcomeUnknown', { sentAt: isoAt(100) });
    const soft = sampleEvent('SubmissionOutcomeUnknown', {
      errorClass: 'SOFT_NOT_EXECUTED',
      sentAt: isoAt(50),
    });
    expect(replayed([...submitting, unknown, soft])).toMatchObject({
      lastSendOutcome: 'UNKNOWN',
      lastSentAt: isoAt(100),
      neededReconciliation: true,
    });
    expect(replayed([...submitting, soft, unknown]).lastSendOutcome).toBe('UNKNOWN');
    expect(replayed([...submitting, soft]).lastSendOutcome).toBe('SOFT_NOT_EXECUTED');
  });

  it('lookups count; only real 240s and complete sweeps after the window count as evidence; errors are kept', () => {
    const lookup = (overrides: Parameters<typeof sampleEvent<'ReconcileAttempted'>>[1]) =>
      sampleEvent('ReconcileAttempted', overrides);
    const state = replayed([
      ...submitting,
      lookup({ windowElapsed: false }),
      lookup({ windowElapsed: true }),
      lookup({
        result: 'lookup_error',
        httpStatus: 503,
        errorCode: null,
        message: 'unavailable',
        windowElapsed: true,
      }),
      lookup({ method: 'list_orders', windowElapsed: false }),
    ]);
    expect(state).toMatchObject({
      reconcileAttempts: 4,
      notFoundAfterWindowCount: 1,
      sweepNotListedAfterWindow: false,
      lastError: { source: 'reconcile', httpStatus: 503, message: 'unavailable' },
    });
    const swept = replayed([...submitting, lookup({ method: 'list_orders', windowElapsed: true })]);
    expect(swept.sweepNotListedAfterWindow).toBe(true);
  });

  it('a re-send starts a new send: evidence about the previous one is reset', () => {
    const state = replayed([
      ...submitting,
      sampleEvent('SubmissionOutcomeUnknown', { errorClass: 'SOFT_NOT_EXECUTED' }),
      sampleEvent('ReconcileAttempted', { windowElapsed: true }),
      sampleEvent('ReconcileAttempted', { method: 'list_orders', windowElapsed: true }),
      sampleEvent('SubmissionRetried', { sentAt: isoAt(20_000) }),
    ]);
    expect(state).toMatchObject({
      retries: 1,
      lastSentAt: isoAt(20_000),
      lastSendOutcome: null,
      notFoundAfterWindowCount: 0,
      sweepNotListedAfterWindow: false,
      reconcileAttempts: 2,
    });
  });

  it('updatedAt never goes back when a fill carries an older exchange time', () => {
    const state = replayed([
      ...submitting,
      sampleEvent('Submitted', {}, isoAt(5000)),
      sampleEvent('FillRecorded', {}, isoAt(1000)),
    ]);
    expect(state.updatedAt).toBe(isoAt(5000));
  });

  it('version counts events and gives the next expected revision', () => {
    expect(expectedRevisionOf(initialExecutionState())).toBe('no_stream');
    expect(expectedRevisionOf(replayed(submitted))).toBe(1n);
    expect(replayed(submitted).version).toBe(2);
  });
});

describe('replayExecution', () => {
  it('fails loudly at the first illegal event, naming its index, type and status', () => {
    const error = replayError([...submitted, sampleEvent('Filled'), sampleEvent('Cancelled')]);
    expect(error.code).toBe('ILLEGAL_TRANSITION');
    expect(error.eventIndex).toBe(3);
    expect(error.message).toBe(
      'replay failed at event #3 (Cancelled): illegal transition: Cancelled in status FILLED (execution 5b6f2a1e-8c3d-4e7f-9a2b-1c3d4e5f6a7b)',
    );
  });

  it('a history that does not start with a proposal is illegal', () => {
    expect(replayError([sampleEvent('Submitted')]).message).toContain('Submitted in status NONE');
  });
});
