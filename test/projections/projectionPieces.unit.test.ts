import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { replayExecution, type Execution } from '../../src/domain/execution';
import { BoundedCache } from '../../src/projections/boundedCache';
import { tradeExecutionRow } from '../../src/projections/executions/tradeExecutionRow';
import {
  addDelta,
  contributionOf,
  zeroContribution,
} from '../../src/projections/executions/userExecutionStatsRow';
import { tableSet } from '../../src/projections/projection';
import { decodeCursor, encodeCursor } from '../../src/projections/queries/listExecutions';
import { describeProgress } from '../../src/projections/rebuild/progressReporter';
import { canonicalJson, compareRow, sameValue } from '../../src/projections/verify/compareRows';
import { describeDrift } from '../../src/projections/verify/drift';
import { executionHistoryArb } from '../support/arbitraries/executionHistory';

describe('trade_executions row', () => {
  it('is an image of the replayed state: status, revision, times of the events, money as strings', () => {
    fc.assert(
      fc.property(executionHistoryArb(), (history) => {
        const state = replayExecution(history.events) as Execution;
        const row = tradeExecutionRow(state, { commit: 7n, prepare: 42n });
        expect(row.client_order_id).toBe(history.clientOrderId);
        expect(row.status).toBe(state.status);
        expect(row.stream_revision).toBe(String(history.events.length - 1));
        expect(row.updated_at).toBe(state.updatedAt);
        expect(row.created_at).toBe(state.submittingAt ?? state.rejectedAt);
        expect(row.filled_at).toBe(state.status === 'FILLED' ? state.endedAt : null);
        expect(row.bitvavo_order_id).toBe(state.exchangeOrderId);
        expect(typeof row.filled_amount).toBe('string');
        expect(row.global_position).toBe('42');
      }),
    );
  });
});

describe('user_execution_stats contributions', () => {
  it('sum, over the steps of a history, to the contribution of its final state', () => {
    fc.assert(
      fc.property(executionHistoryArb(), fc.integer({ min: 1, max: 24 }), (history, split) => {
        // Two batches: the deltas of each, added up, equal the final state's contribution.
        const cut = Math.min(split, history.events.length);
        const middle = replayExecution(history.events.slice(0, cut));
        const final = replayExecution(history.events);
        const total = zeroContribution();
        addDelta(total, zeroContribution(), contributionOf(middle));
        addDelta(total, contributionOf(middle), contributionOf(final));
        expect(total).toEqual(contributionOf(final));
        expect(total.executions_past_gates + total.rejected).toBe(1);
        expect(total.successful).toBeLessThanOrEqual(total.executions_past_gates);
      }),
    );
  });
});

describe('verify comparisons', () => {
  it('compares by SQL type: numerics by value and scale, times by instant, jsonb by content', () => {
    // The read model keeps a numeric's scale as written and the API prints it: 1.5 is not 1.50.
    expect(sameValue('numeric', '1.50', '1.50')).toBe(true);
    expect(sameValue('numeric', '1.50', '1.5')).toBe(false);
    expect(sameValue('numeric', '1.0', '1.00')).toBe(false);
    expect(sameValue('numeric', '1.50', '1.51')).toBe(false);
    expect(sameValue('numeric', '0.001', '1e-3')).toBe(true);
    expect(sameValue('numeric(20,0)', '12', '12.0')).toBe(true);
    expect(sameValue('timestamptz', '2025-01-01T00:00:00.000Z', new Date('2025-01-01T00:00:00Z'))).toBe(true);
    // PostgreSQL's text keeps microseconds (a Date does not), in the session's zone.
    expect(sameValue('timestamptz', '2025-01-01T00:00:00.123Z', '2025-01-01 00:00:00.123+00')).toBe(true);
    expect(sameValue('timestamptz', '2025-01-01T00:00:00.123Z', '2025-01-01 01:00:00.123+01')).toBe(true);
    expect(sameValue('timestamptz', '2025-01-01T00:00:00.123Z', '2024-12-31 18:30:00.123-05:30')).toBe(true);
    expect(sameValue('timestamptz', '2025-01-01T00:00:00.123Z', '2025-01-01 00:00:00.123001+00')).toBe(false);
    expect(sameValue('timestamptz', '2025-01-01T00:00:00.1234567Z', '2025-01-01 00:00:00.123457+00')).toBe(
      true,
    );
    expect(sameValue('timestamptz', 'not a time', 'not a time')).toBe(false);
    expect(sameValue('jsonb', { b: 1, a: [1, { d: 2, c: 3 }] }, { a: [1, { c: 3, d: 2 }], b: 1 })).toBe(true);
    expect(sameValue('jsonb', { a: 1 }, { a: '1' })).toBe(false);
    expect(sameValue('text', null, null)).toBe(true);
    expect(sameValue('text', null, '')).toBe(false);
    expect(sameValue('bigint', '12', 12)).toBe(true);
    expect(canonicalJson({ z: 1, a: { y: null, b: [2] } })).toBe('{"a":{"b":[2],"y":null},"z":1}');
  });

  it('reports each differing column, and describes every kind of drift in one line', () => {
    const drifts = compareRow(
      { projection: 'executions', table: 'trade_executions', key: 'k' },
      { status: 'text', amount: 'numeric' },
      { status: 'FILLED', amount: '1' },
      { status: 'SUBMITTED', amount: '1e0' },
    );
    expect(drifts).toEqual([
      {
        projection: 'executions',
        table: 'trade_executions',
        key: 'k',
        kind: 'field_differs',
        column: 'status',
        expected: 'FILLED',
        actual: 'SUBMITTED',
      },
    ]);
    expect(describeDrift(drifts[0]!)).toBe(
      'field differs: trade_executions k status: read model "SUBMITTED", replay "FILLED"',
    );
    const base = { projection: 'executions', table: 't', key: 'k' };
    expect(describeDrift({ ...base, kind: 'missing_row' })).toContain('missing row');
    expect(describeDrift({ ...base, kind: 'extra_row' })).toContain('extra row');
    expect(describeDrift({ ...base, kind: 'replay_failed', message: 'boom' })).toContain('boom');
  });
});

describe('small pieces', () => {
  it('cursors round-trip and a forged one is refused', () => {
    const id = '7d9f7c1e-4b7a-4c53-9d42-6f0e4c2b9a11';
    const cursor = encodeCursor('2025-01-01T00:00:00.123456Z', id);
    expect(decodeCursor(cursor)).toEqual(['2025-01-01T00:00:00.123456Z', id]);
    expect(() => decodeCursor('bm9wZQ')).toThrow(/cursor/);
    for (const [time, clientOrderId] of [
      ['not a time', id],
      ['2020', id],
      ['2020-02-30T00:00:00.000000Z', id],
      ['2025-01-01T00:00:00.123Z', id],
      ['2025-01-01T00:00:00.123456Z', 'abc'],
      ['2025-01-01T00:00:00.123456Z', `${id}\u0000`],
    ]) {
      const forged = Buffer.from(JSON.stringify([time, clientOrderId])).toString('base64url');
      expect(() => decodeCursor(forged)).toThrow(/cursor/);
    }
  });

  it('the bounded cache keeps the most recently used entries', () => {
    const cache = new BoundedCache<number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.get('a');
    cache.set('c', 3);
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([1, undefined, 3]);
    expect(cache.size).toBe(2);
  });

  it('table names are checked identifiers with a suffix', () => {
    expect(tableSet('__rebuild').table('trade_executions')).toBe('trade_executions__rebuild');
    expect(() => tableSet('x; DROP').table('t')).toThrow();
    expect(() => tableSet().table('Robert"); --')).toThrow();
  });

  it('progress lines give events/s and an ETA', () => {
    expect(
      describeProgress({
        projection: 'executions',
        phase: 'copying',
        eventsApplied: 50_000,
        eventsTotal: 100_000,
        elapsedMs: 1_000,
      }),
    ).toBe('executions: copying, 50,000/100,000 events (50%), 50,000 events/s, ETA 0:01, elapsed 0:01');
    expect(
      describeProgress({
        projection: 'x',
        phase: 'done',
        eventsApplied: 10,
        eventsTotal: null,
        elapsedMs: 2_000,
      }),
    ).toBe('x: done, 10 events, 5 events/s, elapsed 0:02');
  });
});
