import { EXECUTION_STREAM_PREFIX, listExecutionTransitions } from '../../../domain/execution';
import { isTerminalStatus } from '../../../domain/execution/executionStatus';
import {
  checkNoDuplicateExchangeOrders,
  claimedExchangeOrderIds,
  type ExecutionHistory,
} from '../../../domain/invariants';
import type { EventStore, GlobalPosition, RecordedEvent } from '../../../domain/ports/eventStore';
import { buildExecutionReplay, checkReplays, type StreamFinding } from '../replay/executionReplay';
import { readWholeStream } from '../replay/readExecutionEvents';

export interface ScanProgress {
  readonly eventsRead: number;
  readonly streamsChecked: number;
  readonly openStreams: number;
  readonly findings: number;
}

export interface ScanOptions {
  readonly batchSize: number;
  readonly nowMs: number;
  readonly staleSubmittingAfterMs: number;
  /** Findings kept in full (all are counted). */
  readonly maxFindingsKept?: number;
  readonly onProgress?: (progress: ScanProgress) => void;
}

export interface ScanResult {
  readonly eventsRead: number;
  readonly streamsChecked: number;
  readonly findingsTotal: number;
  readonly findings: StreamFinding[];
  readonly countsByCheck: Record<string, number>;
  /** Events the store delivered twice (skipped): should be 0. */
  readonly redelivered: number;
}

/** 10^6 batches of up to 10^4 events: far beyond any ledger, still a bound. */
const MAX_BATCHES = 1_000_000;
/** Keys remembered to report a finding once when a closed stream is checked again. */
const MAX_DEDUP_KEYS = 100_000;

/** Event types after which nothing more is legal: a stream is checked and dropped when one arrives. */
const TERMINAL_EVENT_TYPES = new Set<string>(
  listExecutionTransitions()
    .filter((transition) => isTerminalStatus(transition.to))
    .map((transition) => transition.event),
);

interface OpenStream {
  readonly recorded: RecordedEvent[];
}

interface Claim {
  readonly clientOrderId: string;
  readonly history: ExecutionHistory;
}

/**
 * Every execution stream replayed and checked with the domain's invariants, reading the global order
 * ONCE in batches. Memory: the streams still open, plus one small entry per claimed exchange order id
 * (which does grow with the ledger's history; a planning item):
 *
 * - a stream's events are collected from its first event (revision 0) on, and the stream is checked
 *   and dropped when an event that ends it arrives (every terminal status accepts nothing more);
 * - an event of a stream already dropped (illegal after the end: exactly what must be caught) makes
 *   the stream be read again up to that event and checked again; findings are reported once;
 * - streams still open at the end of the scan (in flight, or stuck) are checked last;
 * - across streams, each claimed exchange order id is indexed with its owner's claiming events, and
 *   a second owner is judged by the domain's own `checkNoDuplicateExchangeOrders`.
 */
export async function scanExecutionStreams(store: EventStore, options: ScanOptions): Promise<ScanResult> {
  const maxKept = options.maxFindingsKept ?? 1000;
  const open = new Map<string, OpenStream>();
  const claims = new Map<string, Claim>();
  const findings: StreamFinding[] = [];
  const countsByCheck: Record<string, number> = {};
  const reported = new Set<string>();
  let findingsTotal = 0;
  let eventsRead = 0;
  let streamsChecked = 0;
  let redelivered = 0;

  const report = (finding: StreamFinding) => {
    const key = `${finding.check}\u0000${finding.clientOrderId}\u0000${finding.message}`;
    if (reported.has(key)) return;
    if (reported.size < MAX_DEDUP_KEYS) reported.add(key);
    findingsTotal += 1;
    countsByCheck[finding.check] = (countsByCheck[finding.check] ?? 0) + 1;
    if (findings.length < maxKept) findings.push(finding);
  };

  const check = (streamId: string, recorded: readonly RecordedEvent[], again = false) => {
    if (!again) streamsChecked += 1;
    const replay = buildExecutionReplay(streamId, recorded);
    const check = { nowMs: options.nowMs, staleSubmittingAfterMs: options.staleSubmittingAfterMs };
    for (const finding of checkReplays([replay], check)) report(finding);
    for (const exchangeOrderId of claimedExchangeOrderIds(replay.history)) {
      const claim = claims.get(exchangeOrderId);
      if (claim === undefined) {
        // Only the claiming events are kept: enough for the duplicate check, small in memory.
        const claiming = replay.history.events.filter(
          (event) =>
            (event.type === 'Submitted' && event.data.exchangeOrderId === exchangeOrderId) ||
            (event.type === 'ReconcileAttempted' && event.data.exchangeOrderId === exchangeOrderId),
        );
        claims.set(exchangeOrderId, {
          clientOrderId: replay.clientOrderId,
          history: { clientOrderId: replay.clientOrderId, events: claiming },
        });
      } else if (claim.clientOrderId !== replay.clientOrderId) {
        for (const violation of checkNoDuplicateExchangeOrders([claim.history, replay.history])) {
          report({
            check: violation.invariant,
            clientOrderId: violation.clientOrderId,
            message: violation.message,
          });
        }
      }
    }
  };

  let after: GlobalPosition | undefined;
  for (let batch = 0; ; batch++) {
    if (batch >= MAX_BATCHES) throw new Error(`invariant scan stopped after ${MAX_BATCHES} batches`);
    const result = await store.readAll({
      maxCount: options.batchSize,
      streamPrefixes: [EXECUTION_STREAM_PREFIX],
      ...(after === undefined ? {} : { after }),
    });
    if (result.events.length === 0 && result.endReached) break;
    after = result.lastPosition;
    eventsRead += result.events.length;
    for (const event of result.events) {
      let stream = open.get(event.streamId);
      if (stream === undefined) {
        if (event.revision === 0n) {
          stream = { recorded: [event] };
          open.set(event.streamId, stream);
        } else {
          // The stream was checked and dropped at its end; an event after the end is itself a finding.
          const upTo = (await readWholeStream(store, event.streamId)).filter(
            (item) => item.revision <= event.revision,
          );
          check(event.streamId, upTo, true);
          continue;
        }
      } else if (event.revision === BigInt(stream.recorded.length)) {
        stream.recorded.push(event);
      } else if (event.revision < BigInt(stream.recorded.length)) {
        // Delivered twice (a store quirk): the stream already has it.
        redelivered += 1;
        continue;
      } else {
        // A gap (a store quirk): take the stream as stored, up to this event.
        stream.recorded.splice(
          0,
          stream.recorded.length,
          ...(await readWholeStream(store, event.streamId)).filter((item) => item.revision <= event.revision),
        );
      }
      if (TERMINAL_EVENT_TYPES.has(event.type)) {
        open.delete(event.streamId);
        check(event.streamId, stream.recorded);
      }
    }
    options.onProgress?.({ eventsRead, streamsChecked, openStreams: open.size, findings: findingsTotal });
  }
  for (const [streamId, stream] of open) check(streamId, stream.recorded);
  open.clear();
  options.onProgress?.({ eventsRead, streamsChecked, openStreams: 0, findings: findingsTotal });
  return { eventsRead, streamsChecked, findingsTotal, findings, countsByCheck, redelivered };
}
