import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import {
  assertAppendable,
  EventStoreUnavailable,
  MAX_READ_ALL_COUNT,
  MAX_READ_STREAM_COUNT,
  StreamNotFound,
  WrongExpectedVersion,
  type AppendResult,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type ReadAllOptions,
  type ReadAllResult,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeToAllOptions,
  type Subscription,
} from '../../../domain/ports/eventStore';
import { isConnectionError } from '../../postgres/createPool';
import { EVENT_COLUMNS, positionParams, toRecordedEvent, type EventRow } from './eventRows';
import { PostgresSubscription } from './postgresSubscription';

const EXPECTED_NO_STREAM = -1n;
const EXPECTED_ANY = -2n;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class DuplicateEventId extends Error {
  override readonly name = 'DuplicateEventId';
}

function toExpectedParam(expected: ExpectedRevision): string {
  if (expected === 'no_stream') return EXPECTED_NO_STREAM.toString();
  if (expected === 'any') return EXPECTED_ANY.toString();
  if (expected < 0n) throw new Error(`expected revision must be >= 0, got ${expected}`);
  return expected.toString();
}

/** Maps driver failures onto the port's errors; anything else is rethrown unchanged. */
function mapError(error: unknown, streamId: string, expected: ExpectedRevision): never {
  const pgError = error as { code?: string; detail?: string; constraint?: string };
  if (pgError.code === 'LE001') {
    const actual = BigInt(pgError.detail ?? '-1');
    throw new WrongExpectedVersion(streamId, expected, actual < 0n ? 'no_stream' : actual);
  }
  if (pgError.code === '23505' && pgError.constraint === 'events_event_id_unique') {
    throw new DuplicateEventId(`an event id of this append is already used in another place (stream ${streamId})`);
  }
  if (isConnectionError(error)) throw new EventStoreUnavailable(`event store unavailable: ${(error as Error).message}`);
  throw error;
}

export interface PostgresEventStoreOptions {
  /** How often a subscription looks for new events when no notification arrives. */
  readonly pollIntervalMs?: number;
}

export class PostgresEventStore implements EventStore {
  private readonly subscriptions = new Set<PostgresSubscription>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly options: PostgresEventStoreOptions = {},
  ) {}

  async appendToStream(
    streamId: string,
    events: readonly EventToAppend[],
    options: { expectedRevision: ExpectedRevision },
  ): Promise<AppendResult> {
    assertAppendable(streamId, events);
    const ids = events.map((event) => event.id ?? randomUUID());
    for (const id of ids) if (!UUID_PATTERN.test(id)) throw new Error(`event id ${id} is not a UUID`);
    try {
      const result = await this.pool.query<{ next_revision: string; transaction_id: string; last_position: string }>(
        'SELECT next_revision, transaction_id::text AS transaction_id, last_position FROM append_to_stream($1, $2, $3::uuid[], $4::text[], $5::jsonb[], $6::jsonb[])',
        [
          streamId,
          toExpectedParam(options.expectedRevision),
          ids,
          events.map((event) => event.type),
          events.map((event) => JSON.stringify(event.data)),
          events.map((event) => JSON.stringify(event.metadata ?? {})),
        ],
      );
      const row = result.rows[0];
      if (!row) throw new Error('append_to_stream returned no row');
      return {
        nextExpectedRevision: BigInt(row.next_revision),
        position: { commit: BigInt(row.transaction_id), prepare: BigInt(row.last_position) },
      };
    } catch (error) {
      mapError(error, streamId, options.expectedRevision);
    }
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const backwards = options.direction === 'backwards';
    const maxCount = Math.min(options.maxCount ?? MAX_READ_STREAM_COUNT, MAX_READ_STREAM_COUNT);
    const from = options.fromRevision;
    const sql = backwards
      ? `SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = $1 AND ($2::bigint IS NULL OR stream_revision <= $2) ORDER BY stream_revision DESC LIMIT $3`
      : `SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = $1 AND ($2::bigint IS NULL OR stream_revision >= $2) ORDER BY stream_revision ASC LIMIT $3`;
    try {
      const result = await this.pool.query<EventRow>(sql, [streamId, from === undefined ? null : from.toString(), maxCount]);
      if (result.rows.length === 0) {
        const exists = await this.pool.query('SELECT 1 FROM streams WHERE stream_id = $1', [streamId]);
        if (exists.rowCount === 0) throw new StreamNotFound(streamId);
      }
      return result.rows.map(toRecordedEvent);
    } catch (error) {
      if (error instanceof StreamNotFound) throw error;
      if (isConnectionError(error)) throw new EventStoreUnavailable(`event store unavailable: ${(error as Error).message}`);
      throw error;
    }
  }

  async readAll(options: ReadAllOptions): Promise<ReadAllResult> {
    const maxCount = Math.max(1, Math.min(options.maxCount, MAX_READ_ALL_COUNT));
    const [afterCommit, afterPrepare] = positionParams(options.after);
    const prefixes = options.streamPrefixes && options.streamPrefixes.length > 0 ? [...options.streamPrefixes] : null;
    try {
      // Only transactions older than every running one are read: their set can no longer change.
      const result = await this.pool.query<EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM events
          WHERE ($1::xid8 IS NULL OR (transaction_id, global_position) > ($1::xid8, $2::bigint))
            AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
            AND ($4::text[] IS NULL OR EXISTS (SELECT 1 FROM unnest($4::text[]) AS p(prefix) WHERE starts_with(stream_id, p.prefix)))
          ORDER BY transaction_id, global_position
          LIMIT $3`,
        [afterCommit, afterPrepare, maxCount, prefixes],
      );
      const events = result.rows.map(toRecordedEvent);
      return { events, lastPosition: events.at(-1)?.position ?? options.after };
    } catch (error) {
      if (isConnectionError(error)) throw new EventStoreUnavailable(`event store unavailable: ${(error as Error).message}`);
      throw error;
    }
  }

  subscribeToAll(options: SubscribeToAllOptions): Subscription {
    const subscription = new PostgresSubscription(this, this.pool, {
      ...options,
      pollIntervalMs: this.options.pollIntervalMs ?? 250,
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
