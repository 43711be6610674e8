import type pg from 'pg';
import { NOTIFY_CHANNEL } from './postgresSubscription';
import { categoryOf, MAX_NOTIFY_CATEGORIES, notifyPayload } from './streamCategories';

const NOTIFY_DEBOUNCE_MS = 5;

/** What the notifier wakes in this process. */
export interface LocalSubscriber {
  wakeUpFor(streamId: string): void;
}

/**
 * Wakes subscribers after an append: those of this process at once (only those whose streams it
 * concerns), those of other processes through one NOTIFY per NOTIFY_DEBOUNCE_MS at most, carrying the
 * categories of the streams appended to. A NOTIFY inside every append would serialize all commits on
 * PostgreSQL's notification lock (measured: appends/s fell to a third of plain INSERTs).
 */
export class AppendNotifier {
  private scheduled = false;
  private categories = new Set<string>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly local: Iterable<LocalSubscriber>,
  ) {}

  appended(streamId: string): void {
    for (const subscriber of this.local) subscriber.wakeUpFor(streamId);
    // Bounded: beyond MAX_NOTIFY_CATEGORIES the payload is '' (everyone wakes) anyway.
    if (this.categories.size <= MAX_NOTIFY_CATEGORIES) this.categories.add(categoryOf(streamId));
    if (this.scheduled) return;
    this.scheduled = true;
    setTimeout(() => {
      const payload = notifyPayload(this.categories);
      this.categories = new Set();
      this.scheduled = false;
      this.pool.query('SELECT pg_notify($1, $2)', [NOTIFY_CHANNEL, payload]).catch(() => undefined);
    }, NOTIFY_DEBOUNCE_MS).unref();
  }
}
