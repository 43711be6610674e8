import type pg from 'pg';
import type { Clock } from '../../domain/ports/clock';
import type { EventStore } from '../../domain/ports/eventStore';
import { readCheckpoint } from '../../projections/checkpoints';
import { postgresPendingProbe, storePendingProbe } from '../../projections/measureLag';
import { allProjections } from '../../projections/registry';
import type { ProjectionLagFigure } from './databaseFigures';

/** Far enough behind to page someone; counting further would make every scrape slower. */
const LAG_COUNT_CAP = 100_000;

/**
 * Each projection's lag from its database checkpoint, whichever instance runs it: events recorded but
 * not applied (capped), and the age of the oldest of them.
 */
export function projectionLagSource(deps: {
  readonly pool: pg.Pool;
  readonly store: EventStore;
  readonly storeIsPostgres: boolean;
  readonly clock: Clock;
}): () => Promise<ProjectionLagFigure[]> {
  const probe = deps.storeIsPostgres
    ? postgresPendingProbe(deps.pool, LAG_COUNT_CAP)
    : storePendingProbe(deps.store);
  return () =>
    Promise.all(
      allProjections().map(async (projection) => {
        const checkpoint = await readCheckpoint(deps.pool, projection.name);
        const pending = await probe(checkpoint.position, projection.streamPrefixes);
        const oldestMs = pending.oldestCreatedAt?.getTime();
        return {
          name: projection.name,
          events: pending.events,
          ms: oldestMs === undefined ? 0 : Math.max(0, deps.clock.nowMs() - oldestMs),
        };
      }),
    );
}
