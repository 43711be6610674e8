import {
  comparePositions,
  MAX_READ_ALL_COUNT,
  type EventStore,
  type GlobalPosition,
  type RecordedEvent,
} from '../../domain/ports/eventStore';
import { requireProgress } from '../requireProgress';

/**
 * The events of some streams in global order, page by page, up to and including `until` (a
 * checkpoint): exactly what a projection at that checkpoint has applied. Memory: one page at a time.
 */
export async function* readEventsUpTo(
  store: EventStore,
  streamPrefixes: readonly string[],
  until: GlobalPosition,
  pageSize = MAX_READ_ALL_COUNT,
): AsyncGenerator<RecordedEvent[]> {
  if (until.commit < 0n) return;
  let after: GlobalPosition | undefined;
  // Bounded by the store: every page moves `after` forward, and it stops at `until` or the end.
  for (;;) {
    const page = await store.readAll({ ...(after ? { after } : {}), maxCount: pageSize, streamPrefixes });
    const events = page.events.filter((event) => comparePositions(event.position, until) <= 0);
    if (events.length > 0) yield events;
    if (events.length < page.events.length || page.endReached || !page.lastPosition) return;
    if (comparePositions(page.lastPosition, until) >= 0) return;
    after = requireProgress(after, page.lastPosition);
  }
}
