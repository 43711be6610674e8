import type pg from 'pg';
import type { Config } from '../../config';
import type { EventStore } from '../../domain/ports/eventStore';
import { createEsdbEventStore } from './esdb/esdbEventStore';
import { PostgresEventStore } from './postgres/postgresEventStore';

/**
 * Streams live in EventStoreDB when EVENTSTORE_URL is set, in PostgreSQL otherwise. Read models,
 * checkpoints and job locks stay in PostgreSQL either way (`pool`).
 */
export function createEventStore(config: Pick<Config, 'EVENTSTORE_URL'>, pool: pg.Pool): EventStore {
  if (config.EVENTSTORE_URL) return createEsdbEventStore(config.EVENTSTORE_URL);
  return new PostgresEventStore(pool);
}
