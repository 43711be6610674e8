import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import {
  assertAppendable,
  comparePositions,
  EventStoreUnavailable,
  MAX_READ_ALL_COUNT,
  MAX_READ_STREAM_COUNT,
  StreamNotFound,
  WrongExpectedVersion,
  type AppendResult,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type GlobalPosition,
  type ReadAllOptions,
  type ReadAllResult,
  type ReadStreamOptions,
  type StreamReadRequest,
  assertStreamReads,
  type RecordedEvent,
  type SubscribeToAllOptions,
  type Subscription,
} from '../../../domain/ports/eventStore';
import { isConnectionError } from '../../postgres/createPool';
import { positionOf, positionParams, toRecordedEvent, type EventRow } from './eventRows';
import {
  APPEND_ONE_SQL,
  APPEND_SQL,
  READ_ALL_FILTERED_SQL,
  READ_ALL_SQL,
  READ_STREAM_BACKWARDS_SQL,
  READ_STREAM_FORWARDS_SQL,
  READ_STREAMS_SQL,
} from './eventStoreSql';
import { PostgresSubscription } from './postgresSubscription';
import { AppendNotifier } from './appendNotifier';

const DEFAULT_LIVE_BATCH_DELAY_MS = 25;

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Concurrent "any" appends to one stream race for the next revision; the loser tries again. */
const MAX_ANY_ATTEMPTS = 20;

export class DuplicateEventId extends Error {
  override readonly name = 'DuplicateEventId';
}

interface AppendedRow {
  stream_revision: string;
  transaction_id: string;
  global_position: string;
}

function isUniqueViolation(error: unknown, constraint: string): boolean {
  const pgError = error as { code?: string; constraint?: string };
  return pgError.code === '23505' && pgError.constraint === constraint;
}

function unavailable(error: unknown): EventStoreUnavailable {
  return new EventStoreUnavailable(`event store unavailable: ${(error as Error).message}`);
}

export interface PostgresEventStoreOptions {
  /** How often a subscription looks for new events when no notification arrives. */
  readonly pollIntervalMs?: number;
  /**
   * A live subscription reads at most once per this many ms (appends wake it at once when it has
   * been quiet longer): read models lag by up to this much, and a busy store is applied in fewer,
   * larger transactions.
   */
  readonly liveBatchDelayMs?: number;
}

export class PostgresEventStore implements EventStore {
  private readonly subscriptions = new Set<PostgresSubscription>();

  private readonly notifier: AppendNotifier;

  constructor(
    private readonly pool: pg.Pool,
    private readonly options: PostgresEventStoreOptions = {},
  ) {
    this.notifier = new AppendNotifier(pool, this.subscriptions);
  }

  async appendToStream(
    streamId: string,
    events: readonly EventToAppend[],
    options: { expectedRevision: ExpectedRevision },
  ): Promise<AppendResult> {
    assertAppendable(streamId, events);
    const expected = options.expectedRevision;
    if (typeof expected === 'bigint' && expected < 0n)
      throw new Error(`expected revision must be >= 0, got ${expected}`);
    // Lower case, as PostgreSQL returns a uuid: a retry with the same upper-case ids must match them.
    const ids = events.map((event) => (event.id ?? randomUUID()).toLowerCase());
    for (const id of ids) if (!UUID_PATTERN.test(id)) throw new Error(`event id ${id} is not a UUID`);
    const single = events.length === 1;
    const columns = single
      ? [ids[0], events[0]!.type, JSON.stringify(events[0]!.data), JSON.stringify(events[0]!.metadata ?? {})]
      : [
          ids,
          events.map((event) => event.type),
          events.map((event) => JSON.stringify(event.data)),
          events.map((event) => JSON.stringify(event.metadata ?? {})),
        ];
    try {
      for (let attempt = 1; ; attempt++) {
        const before =
          expected === 'any' ? await this.lastRevision(streamId) : expected === 'no_stream' ? -1n : expected;
        try {
          const result = await this.pool.query<AppendedRow>({
            // Named: each connection parses and plans it once (the append is the hot path).
            name: single ? 'ledger_append_one' : 'ledger_append_many',
            text: single ? APPEND_ONE_SQL : APPEND_SQL,
            values: [streamId, before.toString(), ...columns, before >= 0n],
          });
          const last = result.rows.at(-1);
          if (!last) throw new WrongExpectedVersion(streamId, expected, await this.actualRevision(streamId));
          this.notifier.appended(streamId);
          return {
            nextExpectedRevision: BigInt(last.stream_revision),
            position: { commit: BigInt(last.transaction_id), prepare: BigInt(last.global_position) },
          };
        } catch (error) {
          const revisionTaken = isUniqueViolation(error, 'events_stream_revision_unique');
          if (!revisionTaken && !isUniqueViolation(error, 'events_event_id_unique')) throw error;
          const retried = await this.findRetriedAppend(
            streamId,
            ids,
            expected === 'any' ? undefined : before,
          );
          if (retried) return retried;
          if (revisionTaken && expected === 'any' && attempt < MAX_ANY_ATTEMPTS) continue;
          if (revisionTaken)
            throw new WrongExpectedVersion(streamId, expected, await this.actualRevision(streamId));
          throw new DuplicateEventId(
            `an event id of this append is already used elsewhere (stream ${streamId})`,
          );
        }
      }
    } catch (error) {
      if (isConnectionError(error)) throw unavailable(error);
      throw error;
    }
  }

  /** An append retried after a lost answer: the very same ids already stand in this stream, in order. */
  private async findRetriedAppend(
    streamId: string,
    ids: string[],
    before: bigint | undefined,
  ): Promise<AppendResult | undefined> {
    const found = await this.pool.query<AppendedRow & { event_id: string }>(
      `SELECT event_id, stream_revision, transaction_id::text AS transaction_id, global_position
         FROM events WHERE stream_id = $1 AND event_id = ANY($2::uuid[]) ORDER BY stream_revision`,
      [streamId, ids],
    );
    if (found.rows.length !== ids.length) return undefined;
    const first = BigInt(found.rows[0]!.stream_revision);
    if (before !== undefined && first !== before + 1n) return undefined;
    const inOrder = found.rows.every(
      (row, index) => row.event_id === ids[index] && BigInt(row.stream_revision) === first + BigInt(index),
    );
    if (!inOrder) return undefined;
    const last = found.rows.at(-1)!;
    return {
      nextExpectedRevision: BigInt(last.stream_revision),
      position: { commit: BigInt(last.transaction_id), prepare: BigInt(last.global_position) },
    };
  }

  private async lastRevision(streamId: string): Promise<bigint> {
    const result = await this.pool.query<{ revision: string | null }>(
      'SELECT max(stream_revision) AS revision FROM events WHERE stream_id = $1',
      [streamId],
    );
    const revision = result.rows[0]?.revision;
    return revision === null || revision === undefined ? -1n : BigInt(revision);
  }

  private async actualRevision(streamId: string): Promise<bigint | 'no_stream'> {
    const revision = await this.lastRevision(streamId);
    return revision < 0n ? 'no_stream' : revision;
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const backwards = options.direction === 'backwards';
    // At least one, as EventStoreDB reads: LIMIT 0 would pass for a missing stream.
    const maxCount = Math.max(1, Math.min(options.maxCount ?? MAX_READ_STREAM_COUNT, MAX_READ_STREAM_COUNT));
    const from = options.fromRevision;
    const sql = backwards ? READ_STREAM_BACKWARDS_SQL : READ_STREAM_FORWARDS_SQL;
    try {
      const result = await this.pool.query<EventRow>({
        // Named: each connection plans it once (every submission reads three streams).
        name: backwards ? 'ledger_read_stream_backwards' : 'ledger_read_stream_forwards',
        text: sql,
        values: [streamId, from === undefined ? null : from.toString(), maxCount],
      });
      if (result.rows.length === 0) {
        // Without a starting revision, no rows means no stream: no second query on this hot path.
        if (from === undefined || (await this.lastRevision(streamId)) < 0n)
          throw new StreamNotFound(streamId);
      }
      return result.rows.map(toRecordedEvent);
    } catch (error) {
      if (error instanceof StreamNotFound) throw error;
      if (isConnectionError(error)) throw unavailable(error);
      throw error;
    }
  }

  async readStreams(
    requests: readonly StreamReadRequest[],
    maxCountPerStream: number,
  ): Promise<RecordedEvent[][]> {
    assertStreamReads(requests);
    if (requests.length === 0) return [];
    const maxCount = Math.max(1, Math.min(maxCountPerStream, MAX_READ_STREAM_COUNT));
    try {
      const result = await this.pool.query<EventRow & { request: string }>({
        name: 'ledger_read_streams',
        text: READ_STREAMS_SQL,
        values: [
          requests.map((request) => request.streamId),
          requests.map((request) => request.fromRevision.toString()),
          maxCount,
        ],
      });
      const streams: RecordedEvent[][] = requests.map(() => []);
      for (const row of result.rows) streams[Number(row.request) - 1]!.push(toRecordedEvent(row));
      return streams;
    } catch (error) {
      if (isConnectionError(error)) throw unavailable(error);
      throw error;
    }
  }

  async readAll(options: ReadAllOptions): Promise<ReadAllResult> {
    const maxCount = Math.max(1, Math.min(options.maxCount, MAX_READ_ALL_COUNT));
    const [afterCommit, afterPrepare] = positionParams(options.after);
    const prefixes =
      options.streamPrefixes && options.streamPrefixes.length > 0 ? [...options.streamPrefixes] : null;
    try {
      const result = await this.pool.query<EventRow & { scan_end: boolean }>(
        prefixes ? READ_ALL_FILTERED_SQL : READ_ALL_SQL,
        [afterCommit, afterPrepare, maxCount, ...(prefixes ? [prefixes] : [])],
      );
      const events: RecordedEvent[] = [];
      let scanEnd: GlobalPosition | undefined;
      for (const row of result.rows) {
        if (row.scan_end) scanEnd = positionOf(row);
        else events.push(toRecordedEvent(row));
      }
      let lastPosition = events.at(-1)?.position ?? options.after;
      // A filtered page that is not full read every visible event: the next read starts after the
      // last one of any stream, so a subscription to rare streams does not scan the same tail again.
      if (
        events.length < maxCount &&
        scanEnd &&
        (!lastPosition || comparePositions(scanEnd, lastPosition) > 0)
      )
        lastPosition = scanEnd;
      // This store reads until it has maxCount events or has seen every visible one.
      return { events, lastPosition, endReached: events.length < maxCount };
    } catch (error) {
      if (isConnectionError(error)) throw unavailable(error);
      throw error;
    }
  }

  subscribeToAll(options: SubscribeToAllOptions): Subscription {
    const subscription = new PostgresSubscription(this, this.pool, {
      ...options,
      pollIntervalMs: this.options.pollIntervalMs ?? 250,
      liveBatchDelayMs: this.options.liveBatchDelayMs ?? DEFAULT_LIVE_BATCH_DELAY_MS,
    });
    this.subscriptions.add(subscription);
    subscription.done.then(
      () => this.subscriptions.delete(subscription),
      () => this.subscriptions.delete(subscription),
    );
    return subscription;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.subscriptions].map((subscription) => subscription.stop()));
  }
}
