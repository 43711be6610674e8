import pg from 'pg';
import type { GlobalPosition, ReadAllResult, RecordedEvent } from '../../domain/ports/eventStore';

export type ReadPage = (
  after: GlobalPosition | undefined,
  maxCount: number,
  streamPrefixes: readonly string[],
) => Promise<ReadAllResult>;

type FoldRow = [string, string, string, string, string, string, Record<string, unknown>, string];

const JSONB_OID = 3802;
const JSON_OID = 114;
const parseTimestamptz = pg.types.getTypeParser(pg.types.builtins.TIMESTAMPTZ) as (text: string) => Date;
/** Column values as PostgreSQL's text, but the event data parsed: the reader converts what it uses. */
const FOLD_TYPES = {
  getTypeParser: (oid: number) =>
    oid === JSONB_OID || oid === JSON_OID ? JSON.parse : (text: string): string => text,
};
const NO_METADATA: Record<string, unknown> = Object.freeze({});

/**
 * An event as a fold reads it. `createdAt` is parsed on first use: a rebuild's fold only asks the
 * last event of a page (for its checkpoint), and a million timestamp parses are a second of CPU.
 */
class FoldEvent implements RecordedEvent {
  readonly metadata = NO_METADATA;
  private parsedCreatedAt: Date | undefined;

  constructor(
    readonly position: GlobalPosition,
    readonly streamId: string,
    readonly revision: bigint,
    readonly id: string,
    readonly type: string,
    readonly data: Record<string, unknown>,
    private readonly createdAtText: string,
  ) {}

  get createdAt(): Date {
    return (this.parsedCreatedAt ??= parseTimestamptz(this.createdAtText));
  }
}

/**
 * A rebuild's reader for the PostgreSQL store in the same database: the same events in the same
 * global order and with the same visibility rule as PostgresEventStore.readAll, but only what a fold
 * needs (no metadata: the audit log is then copied server-side), one prefix tested inline, array
 * rows, values converted only where used (the transaction id once per transaction, the time lazily).
 * Several times cheaper per event than readAll, which matters when a rebuild reads every event of the
 * store. Only for appliers created with `eventsTableInDatabase`.
 */
export function postgresFoldReader(pool: pg.Pool): ReadPage {
  return async (after, maxCount, streamPrefixes) => {
    const prefixes = [...streamPrefixes];
    const prefixTest =
      prefixes.length === 1
        ? 'starts_with(stream_id, $4::text)'
        : 'EXISTS (SELECT 1 FROM unnest($4::text[]) AS p(prefix) WHERE starts_with(stream_id, p.prefix))';
    const result = await pool.query<FoldRow>({
      text: `SELECT transaction_id::text, global_position, stream_id, stream_revision, event_id, event_type, data, created_at
               FROM events
              WHERE ($1::xid8 IS NULL OR (events.transaction_id, events.global_position) > ($1::xid8, $2::bigint))
                AND events.transaction_id < pg_snapshot_xmin(pg_current_snapshot())
                AND ${prefixTest}
              ORDER BY events.transaction_id, events.global_position
              LIMIT $3`,
      values: [
        after && after.commit >= 0n ? after.commit.toString() : null,
        after && after.commit >= 0n ? after.prepare.toString() : null,
        maxCount,
        prefixes.length === 1 ? prefixes[0] : prefixes,
      ],
      rowMode: 'array',
      types: FOLD_TYPES,
    });
    const events: RecordedEvent[] = new Array<RecordedEvent>(result.rows.length);
    let commitText = '';
    let commit = -1n;
    for (let index = 0; index < result.rows.length; index++) {
      const row = result.rows[index]!;
      // Many events share a transaction (a batch append, a bulk load): one BigInt for all of them.
      if (row[0] !== commitText) {
        commitText = row[0];
        commit = BigInt(commitText);
      }
      events[index] = new FoldEvent(
        { commit, prepare: BigInt(row[1]) },
        row[2],
        BigInt(row[3]),
        row[4],
        row[5],
        row[6],
        row[7],
      );
    }
    return { events, lastPosition: events.at(-1)?.position ?? after, endReached: events.length < maxCount };
  };
}
