import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decideExecution,
  replayExecution,
  type Execution,
  type ExecutionEvent,
} from '../../../src/domain/execution';
import type { ErrorClass, ExchangeOrder, ExchangeResult } from '../../../src/domain/ports/exchange';
import {
  sendStartedMs,
  DEFAULT_RECONCILE_SETTINGS,
  decideReconcile,
  planReconcile,
  type SweepLookup,
} from '../../../src/domain/reconcile';
import {
  executionHistoryArb,
  STAYS_SUBMITTING,
  type GeneratedHistory,
} from '../../support/arbitraries/executionHistory';
import { exchangeFailure, exchangeOrder } from '../../support/executionFixtures';

const settings = DEFAULT_RECONCILE_SETTINGS;
const inFlightArb = executionHistoryArb({ onlyTypes: STAYS_SUBMITTING, neverRejected: true, maxEvents: 12 });

function execution(history: GeneratedHistory): Execution {
  if (history.state.status !== 'SUBMITTING') throw new Error('expected SUBMITTING');
  return history.state;
}

/**
 * An independent oracle of DESIGN §3, computed from the raw events: is there evidence that the latest
 * send was not placed, once `decision` (the events of this round) is added?
 */
function oracleEvidence(events: readonly ExecutionEvent[], nowMs: number): boolean {
  let boundary = 0;
  events.forEach((event, index) => {
    if (event.type === 'SubmissionRetried' || event.type === 'ExecutionSubmitting') boundary = index;
  });
  const since = events.slice(boundary);
  const first = since[0];
  // The latest send starts at the re-send's sentAt, else at the latest reported sentAt, else at the intent.
  let sentMs = first?.type === 'SubmissionRetried' ? Date.parse(first.data.sentAt) : undefined;
  const classes = new Set<string>();
  for (const event of since) {
    if (event.type !== 'SubmissionOutcomeUnknown') continue;
    classes.add(event.data.errorClass);
    const reported = Date.parse(event.data.sentAt);
    sentMs = sentMs === undefined ? reported : Math.max(sentMs, reported);
  }
  if (sentMs === undefined)
    sentMs = first?.type === 'ExecutionSubmitting' ? Date.parse(first.data.submittingAt) : Number.NaN;
  if (classes.has('ALREADY_EXISTS')) return false;
  if (classes.has('SOFT_NOT_EXECUTED') && !classes.has('UNKNOWN')) return true;
  const windowOver = nowMs > sentMs + settings.accessWindowMs + settings.clockSkewMaxMs;
  const lookups = since.flatMap((event) => (event.type === 'ReconcileAttempted' ? [event.data] : []));
  const notFounds = lookups.filter(
    (l) => l.method === 'get_order' && l.result === 'not_found' && l.windowElapsed,
  ).length;
  const swept = lookups.some(
    (l) => l.method === 'list_orders' && l.result === 'not_found' && l.windowElapsed,
  );
  return windowOver && notFounds >= 2 && swept;
}

const failureClassArb = fc.constantFrom<ErrorClass>(
  'HARD',
  'SOFT_NOT_EXECUTED',
  'UNKNOWN',
  'ALREADY_EXISTS',
  'NOT_FOUND',
);

function lookupArb(state: Execution): fc.Arbitrary<ExchangeResult<ExchangeOrder>> {
  return fc.oneof(
    {
      weight: 1,
      arbitrary: fc
        .constantFrom('new', 'canceled', 'expired')
        .map((status) => ({ ok: true as const, value: ordered(state, status) })),
    },
    {
      weight: 1,
      arbitrary: fc.constant({
        ok: true as const,
        value: exchangeOrder({ clientOrderId: 'someone-else', market: state.market }),
      }),
    },
    { weight: 4, arbitrary: failureClassArb.map((errorClass) => exchangeFailure(errorClass)) },
    { weight: 4, arbitrary: fc.constant(exchangeFailure('NOT_FOUND')) },
  );
}

function ordered(state: Execution, status: 'new' | 'canceled' | 'expired'): ExchangeOrder {
  return exchangeOrder({
    orderId: `order-${state.clientOrderId}`,
    clientOrderId: state.clientOrderId,
    market: state.market,
    status,
  });
}

function sweepArb(state: Execution, nowMs: number): fc.Arbitrary<SweepLookup | null> {
  const sentMs = Date.parse(state.lastSentAt ?? state.submittingAt ?? state.updatedAt);
  return fc.option(
    fc.record({
      fromMs: fc.integer({ min: -3_000, max: 3_000 }).map((d) => sentMs - settings.clockSkewMaxMs + d),
      toMs: fc.integer({ min: -30_000, max: 0 }).map((d) => nowMs + d),
      limit: fc.constantFrom(1000, 2),
      result: fc.oneof(
        fc.constant<ExchangeResult<ExchangeOrder[]>>({ ok: true, value: [] }),
        fc.constant<ExchangeResult<ExchangeOrder[]>>({ ok: true, value: [ordered(state, 'canceled')] }),
        fc.constant<ExchangeResult<ExchangeOrder[]>>({
          ok: true,
          value: [
            exchangeOrder({ orderId: 'x', clientOrderId: 'a' }),
            exchangeOrder({ orderId: 'y', clientOrderId: 'b' }),
          ],
        }),
        failureClassArb.map((errorClass) => exchangeFailure(errorClass)),
      ),
    }),
    { nil: null },
  );
}

const roundArb = inFlightArb.chain((history) => {
  const state = execution(history);
  const sentMs = Date.parse(state.lastSentAt ?? state.submittingAt ?? state.updatedAt);
  return fc.integer({ min: -5_000, max: 120_000 }).chain((offset) => {
    const nowMs = sentMs + offset;
    return fc.record({
      history: fc.constant(history),
      nowMs: fc.constant(nowMs),
      getOrder: lookupArb(state),
      sweep: sweepArb(state, nowMs),
      gatesStillPass: fc.boolean(),
    });
  });
});

describe('reconcile decision properties', () => {
  it('decides for every in-flight execution, and its events replay legally', () => {
    fc.assert(
      fc.property(roundArb, ({ history, ...round }) => {
        const result = decideReconcile({ state: history.state, settings, ...round });
        if (!result.ok) throw result.error;
        replayExecution([...history.events, ...result.decision.events]);
      }),
      { numRuns: 400 },
    );
  });

  it('the generated rounds reach every action (so the properties are not vacuous)', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(roundArb, ({ history, ...round }) => {
        const result = decideReconcile({ state: history.state, settings, ...round });
        if (result.ok) seen.add(result.decision.action);
      }),
      { numRuns: 2000, seed: 11 },
    );
    // `wait`: a 240 within the soft retry delay of a SOFT answer.
    expect([...seen].sort()).toEqual(['abandon', 'found', 'lookup_error', 'not_found', 'resend', 'wait']);
  });

  it('a lookup error is never evidence: no re-send, no abandon', () => {
    fc.assert(
      fc.property(roundArb, ({ history, ...round }) => {
        fc.pre(!round.getOrder.ok && round.getOrder.errorClass !== 'NOT_FOUND');
        const result = decideReconcile({ state: history.state, settings, ...round });
        if (!result.ok) throw result.error;
        expect(['lookup_error', 'found', 'wait']).toContain(result.decision.action);
        const types = result.decision.events.map((event) => event.type);
        expect(types).not.toContain('SubmissionRetried');
        expect(types).not.toContain('ExecutionAbandoned');
      }),
      { numRuns: 400 },
    );
  });

  it('never re-sends or abandons without evidence (checked by an independent oracle)', () => {
    fc.assert(
      fc.property(roundArb, ({ history, ...round }) => {
        const result = decideReconcile({ state: history.state, settings, ...round });
        if (!result.ok) throw result.error;
        const { action, events } = result.decision;
        const all = [...history.events, ...events.filter((e) => e.type === 'ReconcileAttempted')];
        if (action === 'resend' || action === 'abandon') {
          expect(round.getOrder.ok === false && round.getOrder.errorClass === 'NOT_FOUND').toBe(true);
          expect(oracleEvidence(all, round.nowMs)).toBe(true);
          if (action === 'resend') expect(round.gatesStillPass).toBe(true);
        }
        const sentMs = Date.parse(execution(history).lastSentAt ?? execution(history).submittingAt ?? '');
        for (const event of events) {
          if (
            event.type === 'ReconcileAttempted' &&
            event.data.result === 'not_found' &&
            event.data.windowElapsed
          ) {
            // the stamp is the truth: a 240 counts only after the window
            expect(round.nowMs > sentMs + settings.accessWindowMs + settings.clockSkewMaxMs).toBe(true);
          }
        }
      }),
      { numRuns: 600 },
    );
  });

  it('re-sends are bounded, and FAILED comes only with evidence, over many rounds against a hostile exchange', () => {
    const scriptArb = fc.array(
      fc.record({
        advanceMs: fc.integer({ min: 0, max: 20_000 }),
        getOrder: fc.constantFrom<ErrorClass>('NOT_FOUND', 'NOT_FOUND', 'UNKNOWN', 'SOFT_NOT_EXECUTED'),
        sweepFails: fc.boolean(),
        sendAnswer: fc.constantFrom<ErrorClass>('SOFT_NOT_EXECUTED', 'UNKNOWN', 'SOFT_NOT_EXECUTED'),
      }),
      { maxLength: 60 },
    );
    fc.assert(
      fc.property(inFlightArb, scriptArb, (history, script) => {
        const events = [...history.events];
        let state = history.state;
        let nowMs = Date.parse(execution(history).updatedAt);
        for (const step of script) {
          if (state.status !== 'SUBMITTING') break;
          nowMs += step.advanceMs;
          const plan = planReconcile(state, nowMs, settings);
          if (plan.kind === 'skip') break;
          if (plan.kind === 'defer') {
            // Only a SOFT answer defers here, and only until its delay is over.
            expect(state.lastSendOutcome).toBe('SOFT_NOT_EXECUTED');
            expect(plan.retryAtMs).toBe(sendStartedMs(state) + settings.softRetryDelayMs);
            expect(nowMs).toBeLessThan(plan.retryAtMs);
            continue;
          }
          const sweep: SweepLookup | null =
            plan.sweep === null
              ? null
              : {
                  ...plan.sweep,
                  result: step.sweepFails ? exchangeFailure('UNKNOWN') : { ok: true, value: [] },
                };
          const result = decideReconcile({
            state,
            getOrder: exchangeFailure(step.getOrder),
            sweep,
            nowMs,
            settings,
            gatesStillPass: true,
          });
          if (!result.ok) throw result.error;
          if (result.decision.action === 'resend' && state.lastSendOutcome === 'SOFT_NOT_EXECUTED') {
            // Never a re-send within the soft retry delay of a SOFT answer.
            expect(nowMs).toBeGreaterThanOrEqual(sendStartedMs(state) + settings.softRetryDelayMs);
          }
          if (result.decision.action === 'abandon') {
            expect(
              oracleEvidence(
                [...events, ...result.decision.events.filter((e) => e.type === 'ReconcileAttempted')],
                nowMs,
              ),
            ).toBe(true);
          }
          events.push(...result.decision.events);
          state = replayExecution(events);
          if (result.decision.action === 'resend') {
            const sent = decideExecution(
              {
                type: 'RecordSendOutcome',
                sentAt: new Date(nowMs).toISOString(),
                result: exchangeFailure(step.sendAnswer),
              },
              state,
              new Date(nowMs + 100).toISOString(),
            );
            if (!sent.ok) throw sent.error;
            events.push(...sent.events);
            state = replayExecution(events);
          }
        }
        const retries = events.filter((event) => event.type === 'SubmissionRetried').length;
        const generatedRetries = history.events.filter((event) => event.type === 'SubmissionRetried').length;
        expect(retries - generatedRetries).toBeLessThanOrEqual(
          Math.max(0, settings.maxRetries - generatedRetries),
        );
        expect(state.status === 'SUBMITTING' || state.status === 'FAILED').toBe(true);
        const reconciles = events.filter((event) => event.type === 'ReconcileAttempted').length;
        expect(reconciles).toBeLessThanOrEqual(settings.maxReconcileAttempts + 2 + 12);
      }),
      { numRuns: 300 },
    );
  });

  it('an exchange that never answers 240 keeps the execution SUBMITTING forever (no timer turns it FAILED)', () => {
    fc.assert(
      fc.property(
        inFlightArb,
        fc.array(
          fc.tuple(
            fc.integer({ min: 1, max: 3_600_000 }),
            fc.constantFrom<ErrorClass>('UNKNOWN', 'SOFT_NOT_EXECUTED', 'HARD'),
          ),
          { maxLength: 40 },
        ),
        (history, rounds) => {
          const events = [...history.events];
          let nowMs = Date.parse(execution(history).updatedAt);
          for (const [advanceMs, answer] of rounds) {
            nowMs += advanceMs;
            const state = replayExecution(events);
            const result = decideReconcile({
              state,
              getOrder: exchangeFailure(answer),
              sweep: null,
              nowMs,
              settings,
              gatesStillPass: true,
            });
            if (!result.ok) throw result.error;
            events.push(...result.decision.events);
          }
          expect(replayExecution(events).status).toBe('SUBMITTING');
        },
      ),
      { numRuns: 200 },
    );
  });
});
