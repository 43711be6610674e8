import type pg from 'pg';
import { MAX_READ_ALL_COUNT, type EventStore, type GlobalPosition } from '../domain/ports/eventStore';
import { subscribeAfter } from './checkpoints';

export interface PendingEvents {
  /** Events after the position (at most `cappedAt` counted). */
  readonly events: number;
  readonly capped: boolean;
  /** The store time of the oldest event not yet applied, or null when there is none. */
  readonly oldestCreatedAt: Date | null;
}

/** How many events of some streams lie after a position. */
export type PendingProbe = (
  after: GlobalPosition,
  streamPrefixes: readonly string[],
) => Promise<PendingEvents>;

/** Works with any store: reads ahead one page (so counts are capped at a page). */
export function storePendingProbe(store: EventStore, cap = MAX_READ_ALL_COUNT): PendingProbe {
  return async (after, streamPrefixes) => {
    const from = subscribeAfter(after);
    const page = await store.readAll({
      ...(from ? { after: from } : {}),
      maxCount: cap,
      streamPrefixes,
    });
    return {
      events: page.events.length,
      // Not read to the end (a full page, or the store's own read bound): "at least this many".
      capped: !page.endReached,
      oldestCreatedAt: page.events[0]?.createdAt ?? null,
    };
  };
}

/**
 * The PostgreSQL store's events table, counted in SQL (same visibility rule as its readers: only
 * transactions older than every running one). Capped so that a far-behind count stays cheap.
 */
export function postgresPendingProbe(pool: pg.Pool, cap = 10_000_000): PendingProbe {
  return async (after, streamPrefixes) => {
    const from = subscribeAfter(after);
    const result = await pool.query<{ events: string; oldest: Date | null }>(
      `SELECT count(*) AS events, min(created_at) AS oldest FROM (
         SELECT created_at FROM events
          WHERE ($1::xid8 IS NULL OR (transaction_id, global_position) > ($1::xid8, $2::bigint))
            AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
            AND EXISTS (SELECT 1 FROM unnest($3::text[]) AS p(prefix) WHERE starts_with(stream_id, p.prefix))
          ORDER BY transaction_id, global_position
          LIMIT $4) AS pending`,
      [from ? from.commit.toString() : null, from ? from.prepare.toString() : null, [...streamPrefixes], cap],
    );
    const events = Number(result.rows[0]?.events ?? 0);
    return { events, capped: events >= cap, oldestCreatedAt: result.rows[0]?.oldest ?? null };
  };
}
