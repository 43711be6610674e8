import type { AppModule } from '../../../../src/app';
import { startProjections, type RunningProjections } from '../../../../src/projections/startProjections';

/** The read-model projections as a background service of the app, for tests that read the read models. */
export function testProjectionsModule(): AppModule {
  return {
    name: 'test-projections',
    backgroundServices(context) {
      let running: RunningProjections | undefined;
      return [
        {
          name: 'projections',
          start: async () => {
            running = startProjections({
              pool: context.pool,
              store: context.eventStore,
              storeIsPostgres: true,
            });
          },
          stop: async () => {
            await running?.stop();
          },
        },
      ];
    },
  };
}
