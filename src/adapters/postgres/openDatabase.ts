import type pg from 'pg';
import type { Config } from '../../config';
import { createPool, describeConnectionFailure } from './createPool';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embeddedPostgres';

export interface OpenDatabase {
  readonly pool: pg.Pool;
  readonly connectionString: string;
  readonly embedded: EmbeddedPostgres | undefined;
  close(): Promise<void>;
}

export class DatabaseUnreachable extends Error {
  override readonly name = 'DatabaseUnreachable';
}

/**
 * DATABASE_URL when set; otherwise the embedded PostgreSQL under LEDGER_DATA_DIR (started here, or
 * the one a running service already started). Fails with one clear line when it cannot connect.
 */
export async function openDatabase(
  config: Config,
  options: { onMessage?: (line: string) => void; onPoolError?: (error: Error) => void } = {},
): Promise<OpenDatabase> {
  let embedded: EmbeddedPostgres | undefined;
  let connectionString = config.DATABASE_URL;
  if (!connectionString) {
    embedded = await startEmbeddedPostgres({
      ledgerDataDir: config.LEDGER_DATA_DIR,
      ...(options.onMessage ? { onMessage: options.onMessage } : {}),
    });
    connectionString = embedded.connectionString;
  }
  const pool = createPool({
    connectionString,
    maxConnections: config.DATABASE_POOL_MAX,
    ...(options.onPoolError ? { onError: options.onPoolError } : {}),
  });
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end().catch(() => undefined);
    await embedded?.stop();
    throw new DatabaseUnreachable(describeConnectionFailure(connectionString, error));
  }
  return {
    pool,
    connectionString,
    embedded,
    async close() {
      await pool.end().catch(() => undefined);
      await embedded?.stop();
    },
  };
}
