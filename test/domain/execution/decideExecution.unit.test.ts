import { describe, expect, it } from 'vitest';
import {
  decideExecution,
  evolveExecution,
  initialExecutionState,
  type ExecutionCommand,
  type ExecutionError,
  type ExecutionEvent,
  type ExecutionState,
  replayExecution as replay,
} from '../../../src/domain/execution';
import { deciderSpec } from '../../support/deciderSpec';
import {
  CLIENT_ORDER_ID,
  exchangeFailure,
  exchangeFill,
  exchangeOrder,
  gateEvidence,
  HISTORY_TO,
  isoAt,
  limitProposal,
  OTHER_CLIENT_ORDER_ID,
  REQUEST_HASH,
  sampleEvent,
  T0,
} from '../../support/executionFixtures';

const NOW = isoAt(5_000);
const { given } = deciderSpec<ExecutionState, ExecutionCommand, ExecutionEvent, ExecutionError>({
  initialState: initialExecutionState,
  evolve: evolveExecution,
  decide: (command, state) => decideExecution(command, state, NOW),
});

const start = (gate: Extract<ExecutionCommand, { type: 'StartExecution' }>['gate']): ExecutionCommand => ({
  type: 'StartExecution',
  proposal: limitProposal,
  requestHash: REQUEST_HASH,
  gate,
});
const passed = start({ ok: true, evidence: gateEvidence });
const sendOutcome = (
  result: Extract<ExecutionCommand, { type: 'RecordSendOutcome' }>['result'],
): ExecutionCommand => ({
  type: 'RecordSendOutcome',
  sentAt: T0,
  result,
});
const update = (overrides: Parameters<typeof exchangeOrder>[0]): ExecutionCommand => ({
  type: 'RecordOrderUpdate',
  order: exchangeOrder(overrides),
});
const at = { at: NOW };

describe('StartExecution', () => {
  it('NONE → SUBMITTING: the intent with the gate evidence, before any send', () => {
    given([])
      .when(passed)
      .then([sampleEvent('ExecutionSubmitting', { submittingAt: NOW })]);
  });

  it('NONE → REJECTED: a gate refusal is recorded with its code', () => {
    given([])
      .when(start({ ok: false, code: 'KILL_SWITCH', reason: 'the kill switch is engaged' }))
      .then([sampleEvent('ExecutionRejected', { rejectedAt: NOW })]);
  });

  it('the same key with the same request: EXECUTION_ALREADY_EXISTS (answer from the stream)', () => {
    given(HISTORY_TO.SUBMITTING ?? [])
      .when(passed)
      .thenError('EXECUTION_ALREADY_EXISTS');
    given(HISTORY_TO.REJECTED ?? [])
      .when(passed)
      .thenError('EXECUTION_ALREADY_EXISTS');
  });

  it('the same key with another request: IDEMPOTENCY_KEY_REUSED (409)', () => {
    const error = given(HISTORY_TO.FILLED ?? [])
      .when({ ...passed, requestHash: 'b'.repeat(64) } as ExecutionCommand)
      .thenError('IDEMPOTENCY_KEY_REUSED');
    expect(error.httpStatus).toBe(409);
  });

  it('an order shape Bitvavo does not take is refused before anything is written', () => {
    given([])
      .when({ ...passed, proposal: { ...limitProposal, price: null } } as ExecutionCommand)
      .thenError('INVALID_COMMAND');
  });

  it('invalid event data is refused on write', () => {
    given([])
      .when({ ...passed, proposal: { ...limitProposal, clientOrderId: 'not-a-uuid' } } as ExecutionCommand)
      .thenError('INVALID_EVENT');
  });
});

describe('RecordSendOutcome', () => {
  const submitting = HISTORY_TO.SUBMITTING ?? [];

  it('SUBMITTING → SUBMITTED: acknowledged by the response', () => {
    given(submitting)
      .when(sendOutcome({ ok: true, value: exchangeOrder({}) }))
      .then([sampleEvent('Submitted', at)]);
  });

  it('SUBMITTING → SUBMITTED → FILLED: the response already shows the fill', () => {
    const order = exchangeOrder({
      status: 'filled',
      filledAmount: '0.001',
      filledAmountQuote: '20',
      feePaid: '0.05',
      fills: [exchangeFill({ amount: '0.001' })],
    });
    given(submitting)
      .when(sendOutcome({ ok: true, value: order }))
      .then([
        sampleEvent('Submitted', { ...at, exchangeStatus: 'filled' }),
        sampleEvent('FillRecorded', { amount: '0.001', at: isoAt(1000) }),
        sampleEvent('Filled', at),
      ]);
  });

  it('SUBMITTING → FAILED: a HARD error', () => {
    given(submitting)
      .when(sendOutcome(exchangeFailure('HARD', { message: 'insufficient balance' })))
      .then([sampleEvent('SubmissionFailed', { ...at, message: 'insufficient balance' })]);
  });

  it.each(['UNKNOWN', 'SOFT_NOT_EXECUTED', 'ALREADY_EXISTS'] as const)(
    'SUBMITTING → SUBMITTING: %s is an unknown outcome with its send time',
    (errorClass) => {
      const failure = exchangeFailure(errorClass);
      given(submitting)
        .when(sendOutcome(failure))
        .then([
          sampleEvent('SubmissionOutcomeUnknown', {
            ...at,
            errorClass,
            httpStatus: failure.httpStatus ?? null,
            errorCode: failure.errorCode ?? null,
            message: failure.message,
            sentAt: T0,
          }),
        ]);
    },
  );

  it('a 240 answering a POST is treated as UNKNOWN (the least safe class)', () => {
    const [event] = given(submitting)
      .when(sendOutcome(exchangeFailure('NOT_FOUND')))
      .then([
        sampleEvent('SubmissionOutcomeUnknown', {
          ...at,
          httpStatus: 404,
          errorCode: 240,
          message: 'NOT_FOUND answer',
          sentAt: T0,
        }),
      ]);
    expect(event?.type).toBe('SubmissionOutcomeUnknown');
  });

  it('an acknowledgement naming another order is not trusted: unknown outcome', () => {
    const [event] = given(submitting)
      .when(sendOutcome({ ok: true, value: exchangeOrder({ clientOrderId: OTHER_CLIENT_ORDER_ID }) }))
      .then([
        sampleEvent('SubmissionOutcomeUnknown', {
          ...at,
          sentAt: T0,
          message: `exchange order order-1 has clientOrderId ${OTHER_CLIENT_ORDER_ID}, expected ${CLIENT_ORDER_ID}`,
        }),
      ]);
    expect(event?.type).toBe('SubmissionOutcomeUnknown');
  });

  it('a second failed outcome for the same send is refused; an acknowledgement is still welcome', () => {
    const history = [...submitting, sampleEvent('SubmissionOutcomeUnknown')];
    given(history)
      .when(sendOutcome(exchangeFailure('SOFT_NOT_EXECUTED')))
      .thenError('OUTCOME_ALREADY_RECORDED');
    given(history)
      .when(sendOutcome(exchangeFailure('HARD')))
      .thenError('OUTCOME_ALREADY_RECORDED');
    given(history)
      .when(sendOutcome({ ok: true, value: exchangeOrder({}) }))
      .then([sampleEvent('Submitted', at)]);
  });

  it('outside SUBMITTING: NOT_IN_FLIGHT or EXECUTION_NOT_FOUND', () => {
    given([])
      .when(sendOutcome(exchangeFailure('HARD')))
      .thenError('EXECUTION_NOT_FOUND');
    for (const status of ['SUBMITTED', 'FILLED', 'REJECTED', 'FAILED'] as const) {
      given(HISTORY_TO[status] ?? [])
        .when(sendOutcome({ ok: true, value: exchangeOrder({}) }))
        .thenError('NOT_IN_FLIGHT');
    }
  });
});

describe('RecordOrderUpdate (the fills job)', () => {
  const submitted = HISTORY_TO.SUBMITTED ?? [];
  const partially = HISTORY_TO.PARTIALLY_FILLED ?? [];
  const fill2 = exchangeFill({ id: 'fill-2', amount: '0.0006', timestampMs: Date.parse(NOW) });

  it('SUBMITTED → PARTIALLY_FILLED: a new fill', () => {
    given(submitted)
      .when(update({ status: 'partiallyFilled', fills: [exchangeFill()] }))
      .then([sampleEvent('FillRecorded', { at: isoAt(1000) })]);
  });

  it('PARTIALLY_FILLED → PARTIALLY_FILLED: only fills not yet recorded', () => {
    given(partially)
      .when(
        update({
          status: 'partiallyFilled',
          fills: [exchangeFill(), exchangeFill({ id: 'fill-3', amount: '0.0001' })],
        }),
      )
      .then([sampleEvent('FillRecorded', { fillId: 'fill-3', amount: '0.0001', at: isoAt(1000) })]);
  });

  it('SUBMITTED → FILLED and PARTIALLY_FILLED → FILLED with the exchange totals', () => {
    const totals = { filledAmount: '0.001', filledAmountQuote: '20', feePaid: '0.05' };
    given(submitted)
      .when(update({ status: 'filled', ...totals }))
      .then([sampleEvent('Filled', at)]);
    given(partially)
      .when(update({ status: 'filled', ...totals, fills: [exchangeFill(), fill2] }))
      .then([
        sampleEvent('FillRecorded', { fillId: 'fill-2', amount: '0.0006', ...at }),
        sampleEvent('Filled', at),
      ]);
  });

  it('SUBMITTED → CANCELLED, PARTIALLY_FILLED → CANCELLED (a cancel carrying a partial fill)', () => {
    given(submitted)
      .when(update({ status: 'canceled' }))
      .then([sampleEvent('Cancelled', at)]);
    given(partially)
      .when(
        update({
          status: 'canceledSelfTradePrevention',
          filledAmount: '0.0004',
          filledAmountQuote: '8',
          feePaid: '0.02',
          fills: [exchangeFill()],
        }),
      )
      .then([
        sampleEvent('Cancelled', {
          ...at,
          filledAmount: '0.0004',
          filledAmountQuote: '8',
          feePaid: '0.02',
          reason: 'canceledSelfTradePrevention',
        }),
      ]);
  });

  it('SUBMITTED → EXPIRED, PARTIALLY_FILLED → EXPIRED', () => {
    given(submitted)
      .when(update({ status: 'expired' }))
      .then([sampleEvent('Expired', at)]);
    given(partially)
      .when(update({ status: 'expired', filledAmount: '0.0004', fills: [exchangeFill()] }))
      .then([sampleEvent('Expired', { ...at, filledAmount: '0.0004' })]);
  });

  it('a cancel racing a fill: the fill is recorded before the end', () => {
    given(submitted)
      .when(
        update({
          status: 'canceled',
          filledAmount: '0.0004',
          filledAmountQuote: '8',
          fills: [exchangeFill()],
        }),
      )
      .then([
        sampleEvent('FillRecorded', { at: isoAt(1000) }),
        sampleEvent('Cancelled', { ...at, filledAmount: '0.0004', filledAmountQuote: '8' }),
      ]);
  });

  it('a terminal execution takes nothing more (and says so without an error)', () => {
    given(HISTORY_TO.FILLED ?? [])
      .when(update({ status: 'filled', fills: [fill2] }))
      .then([]);
  });

  it('refuses SUBMITTING (reconcile first), another order, fills beyond the amount and malformed fills', () => {
    given(HISTORY_TO.SUBMITTING ?? [])
      .when(update({}))
      .thenError('NOT_ON_EXCHANGE');
    given([]).when(update({})).thenError('EXECUTION_NOT_FOUND');
    given(submitted)
      .when(update({ orderId: 'order-2' }))
      .thenError('ORDER_MISMATCH');
    given(submitted)
      .when(update({ market: 'ETH-EUR' }))
      .thenError('ORDER_MISMATCH');
    given(submitted)
      .when(update({ status: 'partiallyFilled', fills: [exchangeFill({ amount: '0.0011' })] }))
      .thenError('OVERFILL');
    given(submitted)
      .when(update({ status: 'partiallyFilled', fills: [exchangeFill({ amount: '1e-4' })] }))
      .thenError('INVALID_EVENT');
  });

  it('a fill listed twice by the exchange is recorded once', () => {
    given(submitted)
      .when(update({ status: 'partiallyFilled', fills: [exchangeFill(), exchangeFill()] }))
      .then([sampleEvent('FillRecorded', { at: isoAt(1000) })]);
  });

  it('many fills are recorded in bounded batches; the end waits for the last batch', () => {
    const fills = Array.from({ length: 95 }, (_, i) => exchangeFill({ id: `f-${i}`, amount: '0.00001' }));
    const command = update({ status: 'filled', filledAmount: '0.00095', fills });
    const firstBatch = decideExecution(command, replay(submitted), NOW);
    if (!firstBatch.ok) throw firstBatch.error;
    expect(firstBatch.events).toHaveLength(90);
    expect(firstBatch.events.every((event) => event.type === 'FillRecorded')).toBe(true);
    const secondBatch = decideExecution(command, replay([...submitted, ...firstBatch.events]), NOW);
    if (!secondBatch.ok) throw secondBatch.error;
    expect(secondBatch.events.map((event) => event.type)).toEqual([
      ...Array<string>(5).fill('FillRecorded'),
      'Filled',
    ]);
  });
});

describe('AbandonExecution (operator)', () => {
  const abandon: ExecutionCommand = {
    type: 'AbandonExecution',
    operatorId: 'ops-1',
    note: ' checked by hand ',
  };

  it('SUBMITTING → FAILED with who and why', () => {
    given(HISTORY_TO.SUBMITTING ?? [])
      .when(abandon)
      .then([sampleEvent('ExecutionAbandoned', at)]);
  });

  it('needs a note and an operator, and an execution in flight', () => {
    given(HISTORY_TO.SUBMITTING ?? [])
      .when({ ...abandon, note: '   ' } as ExecutionCommand)
      .thenError('INVALID_COMMAND');
    given(HISTORY_TO.SUBMITTED ?? [])
      .when(abandon)
      .thenError('NOT_IN_FLIGHT');
    given([]).when(abandon).thenError('EXECUTION_NOT_FOUND');
  });
});
