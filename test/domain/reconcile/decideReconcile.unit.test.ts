import { describe, expect, it } from 'vitest';
import { replayExecution, type ExecutionEvent } from '../../../src/domain/execution';
import type { ExchangeOrder, ExchangeResult } from '../../../src/domain/ports/exchange';
import {
  DEFAULT_RECONCILE_SETTINGS,
  decideReconcile,
  planReconcile,
  type ReconcileDecision,
  type SweepLookup,
} from '../../../src/domain/reconcile';
import {
  exchangeFailure,
  exchangeFill,
  exchangeOrder,
  HISTORY_TO,
  isoAt,
  OTHER_CLIENT_ORDER_ID,
  sampleEvent,
  T0_MS,
} from '../../support/executionFixtures';

const settings = DEFAULT_RECONCILE_SETTINGS; // window 10 s + skew 5 s: the window closes at T0 + 15 s
const BEFORE_WINDOW_MS = T0_MS + 12_000;
const AFTER_WINDOW_MS = T0_MS + 20_000;
const NOT_FOUND = exchangeFailure('NOT_FOUND');
const LOOKUP_ERROR = exchangeFailure('UNKNOWN', { httpStatus: 503, message: 'service unavailable' });

const submitting = HISTORY_TO.SUBMITTING ?? [];
const unknownOutcome = [
  ...submitting,
  sampleEvent('SubmissionOutcomeUnknown', { sentAt: isoAt(0), at: isoAt(10_000) }),
];
const softOutcome = [
  ...submitting,
  sampleEvent('SubmissionOutcomeUnknown', {
    errorClass: 'SOFT_NOT_EXECUTED',
    httpStatus: 429,
    errorCode: 105,
  }),
];
const afterWindowNotFound = sampleEvent(
  'ReconcileAttempted',
  { attempt: 1, windowElapsed: true },
  isoAt(16_000),
);
/** Unknown outcome, then one 240 after the window: the next round with a sweep can finish the evidence. */
const oneNotFoundAfterWindow = [...unknownOutcome, afterWindowNotFound];

const emptySweep = (overrides: Partial<SweepLookup> = {}): SweepLookup => ({
  fromMs: T0_MS - 5_000,
  toMs: AFTER_WINDOW_MS,
  limit: 1000,
  result: { ok: true, value: [exchangeOrder({ clientOrderId: OTHER_CLIENT_ORDER_ID, orderId: 'other' })] },
  ...overrides,
});

function reconcile(
  history: readonly ExecutionEvent[],
  getOrder: ExchangeResult<ExchangeOrder>,
  options: { nowMs?: number; sweep?: SweepLookup | null; gatesStillPass?: boolean; retries?: number } = {},
): ReconcileDecision {
  const result = decideReconcile({
    state: replayExecution(history),
    getOrder,
    sweep: options.sweep ?? null,
    nowMs: options.nowMs ?? BEFORE_WINDOW_MS,
    settings,
    gatesStillPass: options.gatesStillPass ?? true,
  });
  if (!result.ok) throw result.error;
  // whatever is decided must apply to the history it was decided on
  replayExecution([...history, ...result.decision.events]);
  return result.decision;
}

const attempt = (overrides: Parameters<typeof sampleEvent<'ReconcileAttempted'>>[1], atMs: number) =>
  sampleEvent('ReconcileAttempted', overrides, new Date(atMs).toISOString());

describe('decideReconcile: found', () => {
  it('an open order: ReconcileAttempted{found} + Submitted', () => {
    const decision = reconcile(unknownOutcome, { ok: true, value: exchangeOrder({}) });
    expect(decision.action).toBe('found');
    expect(decision.events).toEqual([
      attempt(
        { result: 'found', exchangeOrderId: 'order-1', httpStatus: null, errorCode: null },
        BEFORE_WINDOW_MS,
      ),
      sampleEvent('Submitted', { via: 'reconcile' }, isoAt(12_000)),
    ]);
  });

  it('an order already filled: Submitted, its fills, then Filled', () => {
    const order = exchangeOrder({
      status: 'filled',
      filledAmount: '0.001',
      filledAmountQuote: '20',
      feePaid: '0.05',
      fills: [exchangeFill({ amount: '0.001' })],
    });
    const decision = reconcile(unknownOutcome, { ok: true, value: order });
    expect(decision.events.map((event) => event.type)).toEqual([
      'ReconcileAttempted',
      'Submitted',
      'FillRecorded',
      'Filled',
    ]);
    expect(replayExecution([...unknownOutcome, ...decision.events]).status).toBe('FILLED');
  });

  it('an order the exchange cancelled or expired ends the execution that way', () => {
    expect(
      reconcile(unknownOutcome, { ok: true, value: exchangeOrder({ status: 'canceled' }) }).events.at(-1)
        ?.type,
    ).toBe('Cancelled');
    expect(
      reconcile(unknownOutcome, { ok: true, value: exchangeOrder({ status: 'expired' }) }).events.at(-1)
        ?.type,
    ).toBe('Expired');
  });

  it('a completed order missed by GET /order is found by the sweep', () => {
    const listed = exchangeOrder({ orderId: 'order-9', status: 'filled', filledAmount: '0.001' });
    const decision = reconcile(oneNotFoundAfterWindow, NOT_FOUND, {
      nowMs: AFTER_WINDOW_MS,
      sweep: emptySweep({ result: { ok: true, value: [listed] } }),
    });
    expect(decision.action).toBe('found');
    expect(decision.events.map((event) => event.type)).toEqual([
      'ReconcileAttempted',
      'ReconcileAttempted',
      'Submitted',
      'Filled',
    ]);
    expect(decision.events[1]).toMatchObject({
      data: { method: 'list_orders', result: 'found', exchangeOrderId: 'order-9' },
    });
  });

  it('a sweep that lists two orders for the clientOrderId follows the first and names both (double placement)', () => {
    const first = exchangeOrder({ orderId: 'order-9', status: 'filled', filledAmount: '0.001' });
    const second = exchangeOrder({ orderId: 'order-10', status: 'filled', filledAmount: '0.001' });
    const decision = reconcile(oneNotFoundAfterWindow, NOT_FOUND, {
      nowMs: AFTER_WINDOW_MS,
      sweep: emptySweep({ result: { ok: true, value: [first, second, first] } }),
    });
    expect(decision.action).toBe('found');
    expect(decision.duplicateOrderIds).toEqual(['order-9', 'order-10']);
    expect(decision.events[1]).toMatchObject({
      data: {
        result: 'found',
        exchangeOrderId: 'order-9',
        message: 'ALERT: 2 exchange orders carry this clientOrderId',
      },
    });
    const single = reconcile(oneNotFoundAfterWindow, NOT_FOUND, {
      nowMs: AFTER_WINDOW_MS,
      sweep: emptySweep({ result: { ok: true, value: [first, first] } }),
    });
    expect(single.duplicateOrderIds).toBeUndefined();
  });

  it('an answer about another order is a lookup error, not a find', () => {
    const decision = reconcile(unknownOutcome, {
      ok: true,
      value: exchangeOrder({ clientOrderId: OTHER_CLIENT_ORDER_ID }),
    });
    expect(decision.action).toBe('lookup_error');
    expect(decision.events).toHaveLength(1);
  });
});

describe('decideReconcile: not found and lookup errors', () => {
  it('a 240 inside the window is recorded, and is not yet evidence', () => {
    const decision = reconcile(unknownOutcome, NOT_FOUND);
    expect(decision).toMatchObject({ action: 'not_found', resend: null, evidence: null });
    expect(decision.events).toEqual([attempt({ windowElapsed: false, at: isoAt(12_000) }, BEFORE_WINDOW_MS)]);
  });

  it('a lookup error is recorded and is never evidence, even when everything else is there', () => {
    const history = [...oneNotFoundAfterWindow, attempt({ attempt: 2, windowElapsed: true }, T0_MS + 17_000)];
    const decision = reconcile(history, LOOKUP_ERROR, { nowMs: AFTER_WINDOW_MS, sweep: emptySweep() });
    expect(decision.action).toBe('lookup_error');
    expect(decision.events.map((event) => event.type)).toEqual(['ReconcileAttempted', 'ReconcileAttempted']);
    expect(decision.events[0]).toMatchObject({
      data: { result: 'lookup_error', httpStatus: 503, message: 'service unavailable' },
    });
    expect(reconcile(softOutcome, LOOKUP_ERROR).action).toBe('lookup_error');
  });

  it('never FAILED on a timer: an hour later, without a 240, it still waits', () => {
    const decision = reconcile(unknownOutcome, LOOKUP_ERROR, { nowMs: T0_MS + 3_600_000 });
    expect(decision.action).toBe('lookup_error');
    expect(replayExecution([...unknownOutcome, ...decision.events]).status).toBe('SUBMITTING');
  });
});

describe('decideReconcile: evidence, re-send and abandon', () => {
  it('SOFT_NOT_EXECUTED plus a fresh 240: re-send with the same clientOrderId', () => {
    const decision = reconcile(softOutcome, NOT_FOUND);
    expect(decision.action).toBe('resend');
    expect(decision.evidence).toBe('soft_not_executed');
    expect(decision.resend).toMatchObject({
      clientOrderId: '5b6f2a1e-8c3d-4e7f-9a2b-1c3d4e5f6a7b',
      market: 'BTC-EUR',
    });
    expect(decision.events).toEqual([
      attempt({ windowElapsed: false, at: isoAt(12_000) }, BEFORE_WINDOW_MS),
      sampleEvent('SubmissionRetried', { attempt: 1, evidence: 'soft_not_executed' }, isoAt(12_000)),
    ]);
  });

  it('window elapsed + two 240s after it + a complete sweep without the id: re-send', () => {
    const decision = reconcile(oneNotFoundAfterWindow, NOT_FOUND, {
      nowMs: AFTER_WINDOW_MS,
      sweep: emptySweep(),
    });
    expect(decision.action).toBe('resend');
    expect(decision.evidence).toBe('window_elapsed_not_found');
    expect(decision.events.map((event) => event.type)).toEqual([
      'ReconcileAttempted',
      'ReconcileAttempted',
      'SubmissionRetried',
    ]);
    expect(decision.events[1]).toMatchObject({
      data: { method: 'list_orders', result: 'not_found', windowElapsed: true },
    });
  });

  it('one 240 after the window is not enough, nor are 240s from inside the window', () => {
    expect(reconcile(unknownOutcome, NOT_FOUND, { nowMs: AFTER_WINDOW_MS, sweep: emptySweep() }).action).toBe(
      'not_found',
    );
    const inside = [...unknownOutcome, attempt({ windowElapsed: false }, T0_MS + 11_000)];
    expect(reconcile(inside, NOT_FOUND, { nowMs: AFTER_WINDOW_MS, sweep: emptySweep() }).action).toBe(
      'not_found',
    );
  });

  it('two 240s without a sweep, or with a sweep that proves nothing, are not enough', () => {
    expect(reconcile(oneNotFoundAfterWindow, NOT_FOUND, { nowMs: AFTER_WINDOW_MS }).action).toBe('not_found');
    const full = emptySweep({ limit: 1 });
    const fullDecision = reconcile(oneNotFoundAfterWindow, NOT_FOUND, {
      nowMs: AFTER_WINDOW_MS,
      sweep: full,
    });
    expect(fullDecision.action).toBe('not_found');
    expect(fullDecision.events[1]).toMatchObject({ data: { method: 'list_orders', result: 'lookup_error' } });
    for (const sweep of [
      emptySweep({ fromMs: T0_MS - 4_000 }),
      emptySweep({ toMs: T0_MS + 14_000 }),
      emptySweep({ result: exchangeFailure('UNKNOWN') }),
    ]) {
      const decision = reconcile(oneNotFoundAfterWindow, NOT_FOUND, { nowMs: AFTER_WINDOW_MS, sweep });
      expect(decision.action).toBe('not_found');
      expect(decision.events[1]).toMatchObject({ data: { result: 'lookup_error' } });
    }
  });

  it('a 220 (the id is on an open order) is never overturned by 240s', () => {
    const history = [
      ...submitting,
      sampleEvent('SubmissionOutcomeUnknown', { errorClass: 'ALREADY_EXISTS', errorCode: 220 }),
      afterWindowNotFound,
    ];
    expect(reconcile(history, NOT_FOUND, { nowMs: AFTER_WINDOW_MS, sweep: emptySweep() }).action).toBe(
      'not_found',
    );
  });

  it('with evidence but gates that no longer pass: abandoned as proven not placed', () => {
    const decision = reconcile(softOutcome, NOT_FOUND, { gatesStillPass: false });
    expect(decision.action).toBe('abandon');
    expect(decision.events.at(-1)).toMatchObject({
      type: 'ExecutionAbandoned',
      data: { reason: 'proven_not_placed', operatorId: null },
    });
    expect(replayExecution([...softOutcome, ...decision.events]).status).toBe('FAILED');
  });

  it('with evidence after the last allowed re-send: abandoned', () => {
    const history: ExecutionEvent[] = [...submitting];
    for (let retry = 1; retry <= settings.maxRetries; retry += 1) {
      history.push(
        sampleEvent('SubmissionRetried', { attempt: retry }),
        sampleEvent('SubmissionOutcomeUnknown', { errorClass: 'SOFT_NOT_EXECUTED' }),
      );
    }
    const decision = reconcile(history, NOT_FOUND);
    expect(decision.action).toBe('abandon');
    expect(decision.reason).toContain('3 re-sends used');
  });

  it('after the lookup budget: wait for an operator, record nothing; a find is still recorded', () => {
    const history: ExecutionEvent[] = [...unknownOutcome];
    for (let n = 1; n <= settings.maxReconcileAttempts; n += 1)
      history.push(attempt({ attempt: n }, T0_MS + n));
    expect(reconcile(history, NOT_FOUND)).toMatchObject({ action: 'wait', events: [] });
    expect(reconcile(history, { ok: true, value: exchangeOrder({}) }).action).toBe('found');
  });

  it('refuses an execution that is not in flight', () => {
    const base = { getOrder: NOT_FOUND, sweep: null, nowMs: T0_MS, settings, gatesStillPass: true };
    const submitted = decideReconcile({ ...base, state: replayExecution(HISTORY_TO.SUBMITTED ?? []) });
    expect(!submitted.ok && submitted.error.code).toBe('NOT_IN_FLIGHT');
    const none = decideReconcile({ ...base, state: replayExecution([]) });
    expect(!none.ok && none.error.code).toBe('EXECUTION_NOT_FOUND');
  });
});

describe('planReconcile', () => {
  it('looks up SUBMITTING executions only, within the lookup budget', () => {
    expect(planReconcile(replayExecution(HISTORY_TO.SUBMITTED ?? []), T0_MS, settings)).toEqual({
      kind: 'skip',
      reason: 'not_in_flight',
    });
    expect(
      planReconcile(replayExecution(unknownOutcome), T0_MS, { ...settings, maxReconcileAttempts: 0 }),
    ).toEqual({
      kind: 'skip',
      reason: 'attempts_exhausted',
    });
  });

  it('asks for a sweep over [sentAt − skew, now] once the window is over and one 240 after it is in', () => {
    expect(planReconcile(replayExecution(unknownOutcome), AFTER_WINDOW_MS, settings)).toMatchObject({
      kind: 'lookup',
      sweep: null,
    });
    expect(planReconcile(replayExecution(oneNotFoundAfterWindow), BEFORE_WINDOW_MS, settings)).toMatchObject({
      sweep: null,
    });
    expect(planReconcile(replayExecution(oneNotFoundAfterWindow), AFTER_WINDOW_MS, settings)).toEqual({
      kind: 'lookup',
      market: 'BTC-EUR',
      clientOrderId: '5b6f2a1e-8c3d-4e7f-9a2b-1c3d4e5f6a7b',
      sweep: { fromMs: T0_MS - 5_000, toMs: AFTER_WINDOW_MS, limit: 1000 },
    });
  });

  it('no sweep when the send answered SOFT (no need) or 220 (it landed)', () => {
    expect(
      planReconcile(replayExecution([...softOutcome, afterWindowNotFound]), AFTER_WINDOW_MS, settings),
    ).toMatchObject({
      sweep: null,
    });
    const landed = [
      ...submitting,
      sampleEvent('SubmissionOutcomeUnknown', { errorClass: 'ALREADY_EXISTS', errorCode: 220 }),
      afterWindowNotFound,
    ];
    expect(planReconcile(replayExecution(landed), AFTER_WINDOW_MS, settings)).toMatchObject({ sweep: null });
  });
});
