import type pg from 'pg';
import type { EventStore } from '../domain/ports/eventStore';
import { readCheckpoint } from './checkpoints';
import { postgresPendingProbe, storePendingProbe } from './measureLag';
import {
  ProjectionRunner,
  type ProjectionLag,
  type ProjectionStatus,
  type RunnerLogger,
} from './projectionRunner';
import { allProjections } from './registry';

export interface StartProjectionsOptions {
  /** The read models' database (checkpoints live here too). */
  readonly pool: pg.Pool;
  readonly store: EventStore;
  /** True when `store` is the PostgreSQL store on `pool`: lag is then counted exactly in SQL. */
  readonly storeIsPostgres?: boolean;
  readonly logger?: RunnerLogger;
  readonly batchSize?: number;
  /** Only these projections (default: all). */
  readonly only?: readonly string[];
}

/**
 * Each projection's lag from its database checkpoint, whichever instance runs it (or none): events
 * recorded but not yet applied, and the age of the oldest of them.
 */
export async function measureProjectionLags(options: {
  readonly pool: pg.Pool;
  readonly store: EventStore;
  readonly storeIsPostgres?: boolean;
  readonly nowMs?: () => number;
}): Promise<ProjectionLag[]> {
  const probe = options.storeIsPostgres
    ? postgresPendingProbe(options.pool)
    : storePendingProbe(options.store);
  const nowMs = options.nowMs?.() ?? Date.now();
  return Promise.all(
    allProjections().map(async (projection) => {
      const checkpoint = await readCheckpoint(options.pool, projection.name);
      const pending = await probe(checkpoint.position, projection.streamPrefixes);
      const oldestMs = pending.oldestCreatedAt?.getTime();
      return {
        name: projection.name,
        events: pending.events,
        capped: pending.capped,
        ms: oldestMs === undefined ? 0 : Math.max(0, nowMs - oldestMs),
      };
    }),
  );
}

export interface RunningProjections {
  readonly runners: readonly ProjectionRunner[];
  status(): ProjectionStatus[];
  lag(): Promise<ProjectionLag[]>;
  stop(): Promise<void>;
}

/**
 * Starts every projection of the service in the background (one runner each; with several service
 * instances, one instance applies each projection and the others stand by). Call `stop()` on shutdown.
 */
export function startProjections(options: StartProjectionsOptions): RunningProjections {
  const pendingProbe = options.storeIsPostgres
    ? postgresPendingProbe(options.pool)
    : storePendingProbe(options.store);
  const runners = allProjections()
    .filter((projection) => !options.only || options.only.includes(projection.name))
    .map(
      (projection) =>
        new ProjectionRunner({
          pool: options.pool,
          store: options.store,
          projection,
          pendingProbe,
          eventsTableInDatabase: options.storeIsPostgres === true,
          ...(options.logger ? { logger: options.logger } : {}),
          ...(options.batchSize ? { batchSize: options.batchSize } : {}),
        }),
    );
  for (const runner of runners) runner.start();
  return {
    runners,
    status: () => runners.map((runner) => runner.status()),
    lag: () => Promise.all(runners.map((runner) => runner.lag())),
    stop: async () => {
      await Promise.all(runners.map((runner) => runner.stop()));
    },
  };
}
