import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ExecutionEvent } from '../../../src/domain/execution';
import {
  checkClientOrderIdSet,
  checkFilledWithinAmount,
  checkFillsCountedOnce,
  checkLegalTransitions,
  checkNoDuplicateExchangeOrders,
  checkNoMissingOrderId,
  checkNoStaleSubmitting,
  checkOneOrderPerExecution,
  EXECUTION_INVARIANTS,
  runExecutionInvariants,
  type ExecutionHistory,
  type ExecutionInvariant,
} from '../../../src/domain/invariants';
import {
  executionHistoriesArb,
  executionHistoryArb,
  exchangeOrderIdFor,
  type GeneratedHistory,
} from '../../support/arbitraries/executionHistory';
import {
  CLIENT_ORDER_ID,
  HISTORY_TO,
  isoAt,
  OTHER_CLIENT_ORDER_ID,
  sampleEvent,
  T0_MS,
} from '../../support/executionFixtures';

const FAR_STALE_MS = 10 * 365 * 24 * 3_600_000;
const history = (events: readonly ExecutionEvent[], clientOrderId = CLIENT_ORDER_ID): ExecutionHistory => ({
  clientOrderId,
  events,
});
const invariantsOf = (violations: readonly { invariant: ExecutionInvariant }[]) =>
  [...new Set(violations.map((violation) => violation.invariant))].sort();
const lastTimeMs = (histories: readonly GeneratedHistory[]) =>
  Math.max(0, ...histories.map((h) => (h.state.status === 'NONE' ? 0 : Date.parse(h.state.updatedAt))));

const submitted = HISTORY_TO.SUBMITTED ?? [];

describe('execution invariants on legal histories', () => {
  it('no invariant fires on any generated set of legal histories', () => {
    fc.assert(
      fc.property(executionHistoriesArb(), (histories) => {
        expect(
          runExecutionInvariants(histories, {
            nowMs: lastTimeMs(histories),
            staleSubmittingAfterMs: FAR_STALE_MS,
          }),
        ).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('no invariant fires on the fixture histories of every status', () => {
    const all = Object.values(HISTORY_TO)
      .filter((events) => events.length > 0)
      .map((events) => history(events));
    // one fixture order id across several fixtures is itself a duplicate: check them one by one
    for (const one of all)
      expect(runExecutionInvariants([one], { nowMs: T0_MS, staleSubmittingAfterMs: 1000 })).toEqual([]);
  });
});

describe('each invariant fires on a planted violation', () => {
  it('one_order_per_execution: two exchange orders for one execution', () => {
    const planted = history([
      ...submitted,
      sampleEvent('ReconcileAttempted', { result: 'found', exchangeOrderId: 'order-2' }),
    ]);
    expect(checkOneOrderPerExecution(planted)).toEqual([
      {
        invariant: 'one_order_per_execution',
        clientOrderId: CLIENT_ORDER_ID,
        message: '2 exchange orders: order-1, order-2',
      },
    ]);
  });

  it('no_duplicates: one exchange order claimed by two executions (generated)', () => {
    const pairArb = executionHistoriesArb({ neverRejected: true }).filter(
      (hs) => hs.filter((h) => h.events.some((e) => e.type === 'Submitted')).length >= 2,
    );
    fc.assert(
      fc.property(pairArb, (histories) => {
        const [a, b] = histories.filter((h) => h.events.some((e) => e.type === 'Submitted'));
        if (a === undefined || b === undefined) throw new Error('filtered');
        const stolen = b.events.map((event) =>
          event.type === 'Submitted'
            ? { ...event, data: { ...event.data, exchangeOrderId: exchangeOrderIdFor(a.clientOrderId) } }
            : event,
        );
        const violations = checkNoDuplicateExchangeOrders([a, { ...b, events: stolen }]);
        expect(violations.map((v) => [v.invariant, v.clientOrderId])).toContainEqual([
          'no_duplicates',
          b.clientOrderId,
        ]);
      }),
      { numRuns: 50 },
    );
  });

  it('no_missing_order_id: on the exchange without an order id', () => {
    const planted = history([
      ...(HISTORY_TO.SUBMITTING ?? []),
      sampleEvent('Submitted', { exchangeOrderId: '' }),
    ]);
    expect(invariantsOf(checkNoMissingOrderId(planted))).toEqual(['no_missing_order_id']);
    // an illegal jump to FILLED without any Submitted is caught too
    const skipped = history([...(HISTORY_TO.SUBMITTING ?? []), sampleEvent('Filled')]);
    expect(invariantsOf(checkNoMissingOrderId(skipped))).toEqual(['no_missing_order_id']);
  });

  it('legal_transitions: any event appended to a terminal generated history', () => {
    const terminal = executionHistoryArb().filter((h) =>
      ['FILLED', 'FAILED', 'REJECTED', 'CANCELLED', 'EXPIRED'].includes(h.state.status),
    );
    fc.assert(
      fc.property(terminal, (generated) => {
        const planted = { ...generated, events: [...generated.events, sampleEvent('ReconcileAttempted')] };
        const violations = checkLegalTransitions(planted);
        expect(violations).toHaveLength(1);
        expect(violations[0]?.message).toBe(
          `event #${generated.events.length} ReconcileAttempted is illegal in status ${generated.state.status}`,
        );
      }),
      { numRuns: 100 },
    );
  });

  it('filled_within_amount: a fill or a total above the amount', () => {
    expect(
      invariantsOf(
        checkFilledWithinAmount(history([...submitted, sampleEvent('FillRecorded', { amount: '0.0011' })])),
      ),
    ).toEqual(['filled_within_amount']);
    expect(
      checkFilledWithinAmount(
        history([...submitted, sampleEvent('Filled', { filledAmount: '0.0010001' })]),
      )[0]?.message,
    ).toBe('filled 0.0010001 above the order amount 0.001 at event #2 (Filled)');
  });

  it('fills_counted_once: a fill recorded twice (generated)', () => {
    const withFill = executionHistoryArb({ neverRejected: true }).filter((h) =>
      h.events.some((e) => e.type === 'FillRecorded'),
    );
    fc.assert(
      fc.property(withFill, (generated) => {
        const fill = generated.events.find((e) => e.type === 'FillRecorded');
        if (fill === undefined) throw new Error('filtered');
        const index = generated.events.indexOf(fill);
        const planted = {
          ...generated,
          events: [...generated.events.slice(0, index + 1), fill, ...generated.events.slice(index + 1)],
        };
        expect(invariantsOf(checkFillsCountedOnce(planted))).toEqual(['fills_counted_once']);
      }),
      { numRuns: 50 },
    );
  });

  it('client_order_id_set: missing, invalid, or not the stream’s', () => {
    expect(invariantsOf(checkClientOrderIdSet(history(submitted, OTHER_CLIENT_ORDER_ID)))).toEqual([
      'client_order_id_set',
    ]);
    expect(
      invariantsOf(
        checkClientOrderIdSet(
          history([sampleEvent('ExecutionSubmitting', { clientOrderId: '' }), ...submitted.slice(1)]),
        ),
      ),
    ).toEqual(['client_order_id_set']);
    expect(invariantsOf(checkClientOrderIdSet(history(submitted.slice(1))))).toEqual(['client_order_id_set']);
  });

  it('client_order_id_set: an upper-case UUID fails, as its SQL twin check_client_order_id_set() says', () => {
    // The API lower-cases every clientOrderId; the SQL function accepts lower-case hex only. The pure
    // check must agree with it, or `ledger invariants` and `ledger invariants --replay` disagree on the
    // same stream (and runbook 2 sends the operator after a projection bug that does not exist).
    const upper = CLIENT_ORDER_ID.toUpperCase();
    const events = [sampleEvent('ExecutionSubmitting', { clientOrderId: upper }), ...submitted.slice(1)];
    expect(checkClientOrderIdSet(history(events, upper))).toEqual([
      expect.objectContaining({ invariant: 'client_order_id_set', clientOrderId: upper }),
    ]);
    expect(checkClientOrderIdSet(history(submitted))).toEqual([]);
  });

  it('no_stale_submitting: SUBMITTING longer than the threshold, whatever lookups happened since', () => {
    const stuck = history([
      ...(HISTORY_TO.SUBMITTING ?? []),
      sampleEvent('ReconcileAttempted', {}, isoAt(290_000)),
    ]);
    expect(checkNoStaleSubmitting(stuck, T0_MS + 300_000, 300_000)).toEqual([]);
    expect(checkNoStaleSubmitting(stuck, T0_MS + 300_001, 300_000)).toEqual([
      {
        invariant: 'no_stale_submitting',
        clientOrderId: CLIENT_ORDER_ID,
        message: 'SUBMITTING for 300001 ms (threshold 300000 ms)',
      },
    ]);
    expect(checkNoStaleSubmitting(history(submitted), T0_MS + 10_000_000, 1)).toEqual([]);
  });

  it('runExecutionInvariants reports every invariant it knows, each at least once over the planted cases', () => {
    const planted: ExecutionHistory[] = [
      history([
        ...submitted,
        sampleEvent('ReconcileAttempted', { result: 'found', exchangeOrderId: 'order-2' }),
      ]),
      history(
        [
          sampleEvent('ExecutionSubmitting', { clientOrderId: OTHER_CLIENT_ORDER_ID }),
          sampleEvent('Submitted'),
          sampleEvent('FillRecorded', { amount: '0.002' }),
          sampleEvent('FillRecorded', { amount: '0.002' }),
        ],
        OTHER_CLIENT_ORDER_ID,
      ),
      history(
        [...(HISTORY_TO.SUBMITTING ?? []), sampleEvent('Filled')],
        '11111111-1111-4111-8111-111111111111',
      ),
    ];
    const found = invariantsOf(
      runExecutionInvariants(planted, { nowMs: T0_MS + FAR_STALE_MS, staleSubmittingAfterMs: 1 }),
    );
    expect(found).toEqual([...EXECUTION_INVARIANTS].filter((name) => name !== 'no_stale_submitting').sort());
    const stale = runExecutionInvariants([history(HISTORY_TO.SUBMITTING ?? [])], {
      nowMs: T0_MS + 1_000_000,
    });
    expect(invariantsOf(stale)).toEqual(['no_stale_submitting']);
  });
});
