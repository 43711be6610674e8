import { describe, expect, it } from 'vitest';
import { replayExecution, type ExecutionEvent } from '../../../src/domain/execution';
import type { ExchangeOrder, ExchangeResult } from '../../../src/domain/ports/exchange';
import {
  DEFAULT_RECONCILE_SETTINGS,
  decideReconcile,
  planReconcile,
  type ReconcileSettings,
} from '../../../src/domain/reconcile';
import { exchangeFailure, HISTORY_TO, isoAt, sampleEvent, T0_MS } from '../../support/executionFixtures';

/** Soft retry delay 10 s; the send window (10 s + 5 s skew) plays no part in a SOFT answer. */
const settings: ReconcileSettings = { ...DEFAULT_RECONCILE_SETTINGS, softRetryDelayMs: 10_000 };
const NOT_FOUND = exchangeFailure('NOT_FOUND');
const submitting = HISTORY_TO.SUBMITTING ?? [];

/** The send started at T0 + sentMs and answered SOFT (a 105 ban here). */
const softAnswer = (sentMs: number): ExecutionEvent =>
  sampleEvent(
    'SubmissionOutcomeUnknown',
    { errorClass: 'SOFT_NOT_EXECUTED', httpStatus: 429, errorCode: 105, sentAt: isoAt(sentMs) },
    isoAt(sentMs + 50),
  );

const given = (history: readonly ExecutionEvent[], roundSettings: ReconcileSettings = settings) => ({
  whenPlannedAt: (offsetMs: number, bannedUntilOffsetMs: number | null = null) =>
    planReconcile(
      replayExecution(history),
      T0_MS + offsetMs,
      roundSettings,
      bannedUntilOffsetMs === null ? null : T0_MS + bannedUntilOffsetMs,
    ),
  whenDecidedAt: (offsetMs: number, getOrder: ExchangeResult<ExchangeOrder> = NOT_FOUND) => {
    const result = decideReconcile({
      state: replayExecution(history),
      getOrder,
      sweep: null,
      nowMs: T0_MS + offsetMs,
      settings: roundSettings,
      gatesStillPass: true,
    });
    if (!result.ok) throw result.error;
    replayExecution([...history, ...result.decision.events]);
    return result.decision;
  },
});

const typesOf = (events: readonly ExecutionEvent[]) => events.map((event) => event.type);

describe('soft retry delay: the decision (decideReconcile)', () => {
  it('given a SOFT answer at T0, when a 240 comes back 5 s later, then the lookup is recorded and nothing is re-sent', () => {
    const decision = given([...submitting, softAnswer(0)]).whenDecidedAt(5_000);
    expect(decision.action).toBe('wait');
    expect(decision.resend).toBeNull();
    expect(typesOf(decision.events)).toEqual(['ReconcileAttempted']);
    expect(decision.events[0]).toMatchObject({ data: { result: 'not_found' } });
    expect(decision.reason).toContain(isoAt(10_000));
  });

  it('given a SOFT answer at T0, when a 240 comes back once the delay is over, then it re-sends', () => {
    const decision = given([...submitting, softAnswer(0)]).whenDecidedAt(10_000);
    expect(decision.action).toBe('resend');
    expect(decision.evidence).toBe('soft_not_executed');
    expect(typesOf(decision.events)).toEqual(['ReconcileAttempted', 'SubmissionRetried']);
  });

  it('given a re-send at T0 + 12 s that answered SOFT, when a 240 comes 8 s later, then no second re-send yet; at 10 s, yes', () => {
    const history = [
      ...submitting,
      softAnswer(0),
      sampleEvent('ReconcileAttempted', { attempt: 1, windowElapsed: false }, isoAt(12_000)),
      sampleEvent(
        'SubmissionRetried',
        { attempt: 1, evidence: 'soft_not_executed', sentAt: isoAt(12_000) },
        isoAt(12_000),
      ),
      softAnswer(12_000),
    ];
    expect(given(history).whenDecidedAt(20_000).action).toBe('wait');
    const after = given(history).whenDecidedAt(22_000);
    expect(after.action).toBe('resend');
    expect(after.events.at(-1)).toMatchObject({ type: 'SubmissionRetried', data: { attempt: 2 } });
  });

  it('given a SOFT answer, when the lookup fails inside the delay, then it is a lookup error as always (never evidence)', () => {
    const decision = given([...submitting, softAnswer(0)]).whenDecidedAt(
      5_000,
      exchangeFailure('UNKNOWN', { httpStatus: 503 }),
    );
    expect(decision.action).toBe('lookup_error');
    expect(decision.resend).toBeNull();
  });

  it('given a delay of 0, when a 240 comes right after the SOFT answer, then it re-sends at once (the old behaviour)', () => {
    const decision = given([...submitting, softAnswer(0)], {
      ...settings,
      softRetryDelayMs: 0,
    }).whenDecidedAt(100);
    expect(decision.action).toBe('resend');
  });

  it('given an UNKNOWN answer (timeout), when 240s come, then the soft delay plays no part (the window rules)', () => {
    const unknown = sampleEvent('SubmissionOutcomeUnknown', { sentAt: isoAt(0) }, isoAt(1_000));
    expect(given([...submitting, unknown]).whenPlannedAt(5_000)).toMatchObject({ kind: 'lookup' });
    expect(given([...submitting, unknown]).whenDecidedAt(5_000).action).toBe('not_found');
  });
});

describe('soft retry delay and exchange bans: the plan (planReconcile)', () => {
  it('given a SOFT answer at T0, when planned inside the delay, then the round is deferred to T0 + delay (no lookup)', () => {
    expect(given([...submitting, softAnswer(0)]).whenPlannedAt(9_999)).toEqual({
      kind: 'defer',
      reason: 'soft_retry_delay',
      retryAtMs: T0_MS + 10_000,
    });
    expect(given([...submitting, softAnswer(0)]).whenPlannedAt(10_000)).toMatchObject({
      kind: 'lookup',
      sweep: null,
    });
  });

  it('given a known ban, when planned before it ends, then the round is deferred to its end, whatever the outcome', () => {
    const unknown = sampleEvent('SubmissionOutcomeUnknown', { sentAt: isoAt(0) }, isoAt(1_000));
    for (const history of [
      [...submitting, softAnswer(0)],
      [...submitting, unknown],
    ]) {
      expect(given(history).whenPlannedAt(30_000, 60_000)).toEqual({
        kind: 'defer',
        reason: 'exchange_banned',
        retryAtMs: T0_MS + 60_000,
      });
      expect(given(history).whenPlannedAt(60_000, 60_000)).toMatchObject({ kind: 'lookup' });
    }
  });

  it('given the lookups are used up, when a ban is known, then it is still the operator’s (skip, not defer)', () => {
    const history = [
      ...submitting,
      softAnswer(0),
      ...Array.from({ length: settings.maxReconcileAttempts }, (_, index) =>
        sampleEvent('ReconcileAttempted', { attempt: index + 1, result: 'lookup_error' }, isoAt(1_000)),
      ),
    ];
    expect(given(history).whenPlannedAt(30_000, 60_000)).toEqual({
      kind: 'skip',
      reason: 'attempts_exhausted',
    });
  });
});
