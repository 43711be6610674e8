import type { AppModule } from '../../app';
import {
  measureProjectionLags,
  startProjections,
  type RunningProjections,
} from '../../projections/startProjections';
import { registerReadModelRoutes } from './routes/readModelRoutes';

export interface ProjectionsModuleOptions {
  /** Run the projections on this instance (default true). Several instances may: one applies each. */
  readonly runProjections?: boolean;
}

/**
 * The read models: the projection runners as a background service (started after the server
 * listens, stopped before the pool closes) and their query routes, GET /v1/executions and
 * GET /v1/ops/stats.
 */
export function projectionsModule(options: ProjectionsModuleOptions = {}): AppModule {
  return {
    name: 'projections',
    registerRoutes(server, context) {
      const storeIsPostgres = context.config.EVENTSTORE_URL === undefined;
      registerReadModelRoutes(server, {
        pool: context.pool,
        lag: () =>
          measureProjectionLags({
            pool: context.pool,
            store: context.eventStore,
            storeIsPostgres,
            nowMs: () => context.clock.nowMs(),
          }),
      });
    },
    backgroundServices(context) {
      if (options.runProjections === false) return [];
      let running: RunningProjections | undefined;
      return [
        {
          name: 'projections',
          start: async () => {
            running = startProjections({
              pool: context.pool,
              store: context.eventStore,
              storeIsPostgres: context.config.EVENTSTORE_URL === undefined,
              logger: context.logger.child({ component: 'projections' }),
            });
          },
          stop: async () => {
            await running?.stop();
            running = undefined;
          },
        },
      ];
    },
  };
}
