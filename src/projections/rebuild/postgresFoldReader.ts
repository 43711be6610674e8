import type pg from 'pg';
import type { GlobalPosition, ReadAllResult, RecordedEvent } from '../../domain/ports/eventStore';

export type ReadPage = (
  after: GlobalPosition | undefined,
  maxCount: number,
  streamPrefixes: readonly string[],
) => Promise<ReadAllResult>;

type FoldRow = [string, string, string, string, string, string, Record<string, unknown>, Date];

/**
 * A rebuild's reader for the PostgreSQL store in the same database: the same events in the same
 * global order and with the same visibility rule as PostgresEventStore.readAll, but only what a fold
 * needs (no metadata: the audit log is then copied server-side), one prefix tested inline, array
 * rows. Measured about three times cheaper per event than readAll, which matters when a rebuild
 * reads every event of the store. Only for appliers created with `eventsTableInDatabase`.
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
    });
    const events: RecordedEvent[] = new Array<RecordedEvent>(result.rows.length);
    for (let index = 0; index < result.rows.length; index++) {
      const row = result.rows[index]!;
      events[index] = {
        position: { commit: BigInt(row[0]), prepare: BigInt(row[1]) },
        streamId: row[2],
        revision: BigInt(row[3]),
        id: row[4],
        type: row[5],
        data: row[6],
        metadata: {},
        createdAt: row[7],
      };
    }
    return { events, lastPosition: events.at(-1)?.position ?? after };
  };
}
