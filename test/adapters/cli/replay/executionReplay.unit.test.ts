import { describe, expect, it } from 'vitest';
import { buildExecutionReplay, checkReplays } from '../../../../src/adapters/cli/replay/executionReplay';
import { parseAsOf } from '../../../../src/adapters/cli/replay/asOf';
import { formatExecutionReplay, formatFindings } from '../../../../src/adapters/cli/replay/formatReplay';
import { executionStreamName, type ExecutionEvent } from '../../../../src/domain/execution';
import {
  CLIENT_ORDER_ID,
  OTHER_CLIENT_ORDER_ID,
  sampleEvent,
  T0_MS,
} from '../../../support/executionFixtures';
import { MemoryEventStore } from '../support/memoryEventStore';

const STREAM = executionStreamName(CLIENT_ORDER_ID);
const check = { nowMs: T0_MS + 60_000, staleSubmittingAfterMs: 5 * 60_000 };

function storeWith(streamId: string, events: readonly ExecutionEvent[]): MemoryEventStore {
  return new MemoryEventStore(events.map((event) => ({ streamId, type: event.type, data: event.data })));
}

const recovered: ExecutionEvent[] = [
  sampleEvent('ExecutionSubmitting'),
  sampleEvent('SubmissionOutcomeUnknown'),
  sampleEvent('ReconcileAttempted', {
    result: 'found',
    exchangeOrderId: 'order-1',
    httpStatus: 200,
    errorCode: null,
  }),
  sampleEvent('Submitted', { via: 'reconcile' }),
  sampleEvent('FillRecorded'),
  sampleEvent('Filled'),
];

describe('buildExecutionReplay', () => {
  it('shows what runbooks 1 and 7 read in a timeline: a lookup’s message (the ALERT of a double placement) and the actor', () => {
    const alert = 'ALERT: 2 exchange orders carry this clientOrderId';
    const events: ExecutionEvent[] = [
      sampleEvent('ExecutionSubmitting'),
      sampleEvent('SubmissionOutcomeUnknown'),
      sampleEvent('ReconcileAttempted', {
        method: 'list_orders',
        result: 'found',
        exchangeOrderId: 'order-1',
        httpStatus: null,
        errorCode: null,
        message: alert,
      }),
    ];
    const recorded = storeWith(STREAM, events).events.map((event) => ({
      ...event,
      metadata: { actor: 'trader:bob' },
    }));
    const replay = buildExecutionReplay(STREAM, recorded);
    const text = formatExecutionReplay(replay, undefined).join('\n');
    expect(text).toContain(`message="${alert}"`);
    expect(text).toMatch(/ExecutionSubmitting\s+SUBMITTING\s+.*actor=trader:bob/);
    // The JSON keeps the event as stored: every field and the metadata.
    expect(replay.rows[2]?.data).toEqual(recorded[2]?.data);
    expect(replay.rows[0]?.metadata).toEqual({ actor: 'trader:bob' });
  });

  it('gives the status after every event, key fields and the final state of a recovered order', () => {
    const store = storeWith(STREAM, recovered);
    const replay = buildExecutionReplay(STREAM, store.events);
    expect(replay.rows.map((row) => row.statusAfter)).toEqual([
      'SUBMITTING',
      'SUBMITTING',
      'SUBMITTING',
      'SUBMITTED',
      'PARTIALLY_FILLED',
      'FILLED',
    ]);
    expect(replay.rows.map((row) => row.position)).toEqual([1n, 2n, 3n, 4n, 5n, 6n]);
    expect(replay.rows[2]?.fields).toMatchObject({ result: 'found', orderId: 'order-1' });
    expect(replay.state).toMatchObject({
      status: 'FILLED',
      exchangeOrderId: 'order-1',
      reconcileAttempts: 1,
    });
    expect(replay.state?.neededReconciliation).toBe(true);
    expect(checkReplays([replay], check)).toEqual([]);
    const text = formatExecutionReplay(replay, undefined).join('\n');
    expect(text).toContain('final state: FILLED');
    expect(text).toMatch(
      /ReconcileAttempted\s+SUBMITTING\s+attempt=1 method=get_order result=found orderId=order-1/,
    );
  });

  it('cuts the history at a global position or at a recorded time', () => {
    const store = storeWith(STREAM, recovered);
    const atPosition = buildExecutionReplay(STREAM, store.events, parseAsOf('3'));
    expect(atPosition.rows).toHaveLength(3);
    expect(atPosition.finalStatus).toBe('SUBMITTING');
    expect(atPosition.totalEvents).toBe(6);
    const fourthRecordedAt = store.events[3]!.createdAt.toISOString();
    const atTime = buildExecutionReplay(STREAM, store.events, parseAsOf(fourthRecordedAt));
    expect(atTime.finalStatus).toBe('SUBMITTED');
    expect(formatExecutionReplay(atTime, parseAsOf(fourthRecordedAt)).join('\n')).toContain(
      '2 recorded later not shown',
    );
  });

  it('marks an illegal event, keeps replaying leniently and reports it once', () => {
    const store = storeWith(STREAM, [...recovered, sampleEvent('FillRecorded', { fillId: 'fill-2' })]);
    const replay = buildExecutionReplay(STREAM, store.events);
    expect(replay.rows.at(-1)).toMatchObject({ illegal: true, type: 'FillRecorded' });
    expect(replay.replayError).toMatch(/illegal transition: FillRecorded in status FILLED/);
    const findings = checkReplays([replay], check);
    expect(findings.map((finding) => finding.check)).toEqual(['legal_transitions']);
  });

  it('reports an event that fails its schema, without hiding the rest of the stream', () => {
    const store = storeWith(STREAM, recovered.slice(0, 1));
    store.add({ streamId: STREAM, type: 'Submitted', data: { schemaVersion: 1, exchangeOrderId: '' } });
    store.add({ streamId: STREAM, type: 'SubmissionFailed', data: sampleEvent('SubmissionFailed').data });
    const replay = buildExecutionReplay(STREAM, store.events);
    expect(replay.rows[1]?.unreadable).toMatch(/invalid Submitted event/);
    expect(replay.rows[1]?.statusAfter).toBe('SUBMITTING');
    expect(replay.finalStatus).toBe('FAILED');
    const findings = checkReplays([replay], check);
    expect(findings).toEqual([
      expect.objectContaining({ check: 'readable_events', clientOrderId: CLIENT_ORDER_ID }),
    ]);
  });

  it('finds a stale SUBMITTING and one exchange order claimed by two executions', () => {
    const other = executionStreamName(OTHER_CLIENT_ORDER_ID);
    const store = storeWith(STREAM, recovered);
    store.add({
      streamId: other,
      type: 'ExecutionSubmitting',
      data: { ...sampleEvent('ExecutionSubmitting').data, clientOrderId: OTHER_CLIENT_ORDER_ID },
    });
    store.add({ streamId: other, type: 'Submitted', data: sampleEvent('Submitted').data });
    const replays = [STREAM, other].map((streamId) =>
      buildExecutionReplay(
        streamId,
        store.events.filter((event) => event.streamId === streamId),
      ),
    );
    const findings = checkReplays(replays, check);
    expect(findings).toEqual([
      expect.objectContaining({ check: 'no_duplicates', clientOrderId: OTHER_CLIENT_ORDER_ID }),
    ]);
    const stuck = storeWith(STREAM, recovered.slice(0, 2));
    const stale = checkReplays([buildExecutionReplay(STREAM, stuck.events)], {
      ...check,
      nowMs: T0_MS + 3_600_000,
    });
    expect(stale.map((finding) => finding.check)).toEqual(['no_stale_submitting']);
    expect(formatFindings(stale).join('\n')).toMatch(/❌ no_stale_submitting \[5b6f2a1e/);
  });
});

describe('parseAsOf', () => {
  it('reads digits as a global position and anything dated as a time; refuses the rest', () => {
    expect(parseAsOf('42')).toEqual({ kind: 'position', position: 42n });
    expect(parseAsOf('2025-01-01T12:00:00Z')).toEqual({ kind: 'time', ms: T0_MS });
    expect(() => parseAsOf('yesterday')).toThrow(/ISO 8601 time or a global position/);
    expect(() => parseAsOf('2025-13-45')).toThrow();
  });
});
