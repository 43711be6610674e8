import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scanExecutionStreams } from '../../../../src/adapters/cli/invariants/scanExecutionStreams';
import {
  buildExecutionReplay,
  checkReplays,
  type StreamFinding,
} from '../../../../src/adapters/cli/replay/executionReplay';
import { executionStreamName, type ExecutionEvent } from '../../../../src/domain/execution';
import {
  executionHistoriesArb,
  exchangeOrderIdFor,
  GENERATED_START_MS,
} from '../../../support/arbitraries/executionHistory';
import { sampleEvent } from '../../../support/executionFixtures';
import { MemoryEventStore, type RawEvent } from '../support/memoryEventStore';

const NOW_MS = GENERATED_START_MS + 40 * 24 * 3_600_000;
const STALE_MS = 5 * 60_000;

/** Streams merged into one global order by `picks`, each stream's own order kept. */
function interleave(streams: readonly RawEvent[][], picks: readonly number[]): RawEvent[] {
  const cursors = streams.map(() => 0);
  const merged: RawEvent[] = [];
  let pick = 0;
  const total = streams.reduce((sum, stream) => sum + stream.length, 0);
  while (merged.length < total) {
    const live = streams
      .map((stream, index) => index)
      .filter((index) => cursors[index]! < streams[index]!.length);
    const chosen = live[(picks[pick++ % Math.max(1, picks.length)] ?? 0) % live.length]!;
    merged.push(streams[chosen]![cursors[chosen]!]!);
    cursors[chosen]! += 1;
  }
  return merged;
}

/** The reference: every stream read whole, checked together in one call (no batches, no bound). */
function referenceFindings(store: MemoryEventStore): StreamFinding[] {
  const streamIds = [...new Set(store.events.map((event) => event.streamId))];
  const replays = streamIds.map((streamId) =>
    buildExecutionReplay(
      streamId,
      store.events.filter((event) => event.streamId === streamId),
    ),
  );
  return checkReplays(replays, { nowMs: NOW_MS, staleSubmittingAfterMs: STALE_MS });
}

const key = (finding: StreamFinding) =>
  finding.check === 'no_duplicates'
    ? `${finding.check}`
    : `${finding.check}|${finding.clientOrderId}|${finding.message}`;
const keys = (findings: readonly StreamFinding[]) => findings.map(key).sort();

type Corruption = 'none' | 'steal_order_id' | 'event_after_end' | 'duplicate_fill' | 'unreadable';

function corrupted(events: readonly ExecutionEvent[], corruption: Corruption, otherClientOrderId: string) {
  const out = events.map((event) => ({
    type: event.type as string,
    data: { ...event.data } as Record<string, unknown>,
  }));
  switch (corruption) {
    case 'steal_order_id':
      for (const event of out) {
        if (event.type === 'Submitted')
          event.data['exchangeOrderId'] = exchangeOrderIdFor(otherClientOrderId);
      }
      break;
    case 'event_after_end':
      out.push({ type: 'Expired', data: { ...sampleEvent('Expired').data } });
      break;
    case 'duplicate_fill': {
      const fill = out.find((event) => event.type === 'FillRecorded');
      if (fill) out.push({ ...fill, data: { ...fill.data } });
      break;
    }
    case 'unreadable':
      out.push({ type: 'ReconcileAttempted', data: { schemaVersion: 1, attempt: 'x' } });
      break;
    case 'none':
      break;
  }
  return out;
}

describe('scanExecutionStreams', () => {
  it('finds, in one batched pass, exactly what checking every whole stream together finds', async () => {
    await fc.assert(
      fc.asyncProperty(
        executionHistoriesArb({ maxExecutions: 8, maxEvents: 10 }),
        fc.array(
          fc.constantFrom<Corruption>(
            'none',
            'none',
            'steal_order_id',
            'event_after_end',
            'duplicate_fill',
            'unreadable',
          ),
          {
            minLength: 8,
            maxLength: 8,
          },
        ),
        fc.array(fc.nat(), { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 7 }),
        async (histories, corruptions, picks, batchSize) => {
          const streams = histories.map((history, index) => {
            const other = histories[(index + 1) % histories.length]!.clientOrderId;
            return corrupted(history.events, corruptions[index] ?? 'none', other).map((event) => ({
              streamId: executionStreamName(history.clientOrderId),
              ...event,
            }));
          });
          const store = new MemoryEventStore(interleave(streams, picks));
          const result = await scanExecutionStreams(store, {
            batchSize,
            nowMs: NOW_MS,
            staleSubmittingAfterMs: STALE_MS,
          });
          const expected = referenceFindings(store);
          expect(keys(result.findings)).toEqual(keys(expected));
          expect(result.findingsTotal).toBe(expected.length);
          expect(result.streamsChecked).toBe(histories.length);
          expect(result.eventsRead).toBe(store.events.length);
          expect(store.largestReadAll).toBeLessThanOrEqual(batchSize);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('catches an event recorded after the end of a stream that was already checked and dropped', async () => {
    const streamId = executionStreamName(sampleEvent('ExecutionSubmitting').data.clientOrderId);
    const store = new MemoryEventStore(
      [sampleEvent('ExecutionSubmitting'), sampleEvent('SubmissionFailed')].map((event) => ({
        streamId,
        type: event.type,
        data: event.data,
      })),
    );
    // Other executions in between, so the late event lands in a later batch.
    for (let index = 0; index < 5; index++) {
      const id = `00000000-0000-4000-8000-00000000000${index}`;
      store.add({
        streamId: executionStreamName(id),
        type: 'ExecutionRejected',
        data: sampleEvent('ExecutionRejected', { clientOrderId: id }).data,
      });
    }
    store.add({ streamId, type: 'Submitted', data: sampleEvent('Submitted').data });
    const result = await scanExecutionStreams(store, {
      batchSize: 2,
      nowMs: NOW_MS,
      staleSubmittingAfterMs: STALE_MS,
    });
    expect(result.findings).toEqual([
      expect.objectContaining({
        check: 'legal_transitions',
        message: 'event #2 Submitted is illegal in status FAILED',
      }),
    ]);
    expect(result.streamsChecked).toBe(6);
  });
});
