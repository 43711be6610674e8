import type pg from 'pg';
import type { Config } from '../../config';
import type { EventStore } from '../../domain/ports/eventStore';
import { createEventStore } from '../eventstore/createEventStore';
import { openDatabase } from '../postgres/openDatabase';

export interface OpenStores {
  readonly pool: pg.Pool;
  readonly store: EventStore;
  /** True when the streams live in PostgreSQL (the `events` table of `pool`). */
  readonly storeIsPostgres: boolean;
  close(): Promise<void>;
}

/**
 * The configured event store (EventStoreDB when EVENTSTORE_URL is set, else PostgreSQL) and the
 * PostgreSQL pool of the read models. Progress lines of an embedded start go to stderr so that
 * stdout stays clean for `--json`.
 */
export async function openEventStore(config: Config): Promise<OpenStores> {
  const database = await openDatabase(config, { onMessage: (line) => process.stderr.write(`${line}\n`) });
  let store: EventStore;
  try {
    store = createEventStore(config, database.pool);
  } catch (error) {
    await database.close();
    throw error;
  }
  return {
    pool: database.pool,
    store,
    storeIsPostgres: config.EVENTSTORE_URL === undefined,
    async close() {
      await store.close().catch(() => undefined);
      await database.close();
    },
  };
}
