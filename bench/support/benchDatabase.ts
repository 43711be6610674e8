import pg from 'pg';
import { migrate } from '../../src/adapters/postgres/migrate';
import { startEmbeddedPostgres } from '../../src/adapters/postgres/embeddedPostgres';
import { enableStatementStats, statementStatsWanted } from './postgresDiagnostics';

export interface BenchDatabase {
  readonly pool: pg.Pool;
  readonly connectionString: string;
  readonly description: string;
  close(): Promise<void>;
}

/** DATABASE_URL when set, else a throwaway embedded PostgreSQL with real fsync (like the service's). */
export async function openBenchDatabase(poolMax: number): Promise<BenchDatabase> {
  const external = process.env.DATABASE_URL;
  const server = external
    ? undefined
    : await startEmbeddedPostgres({ ephemeral: true, durable: true, statementStats: statementStatsWanted });
  const connectionString = external ?? server!.connectionString;
  const pool = new pg.Pool({ connectionString, max: poolMax });
  pool.on('error', () => undefined); // idle clients see the server stop at the end of a run
  await migrate(pool);
  await enableStatementStats(pool);
  return {
    pool,
    connectionString,
    description: external ? 'DATABASE_URL' : 'embedded PostgreSQL (fsync on)',
    async close() {
      await pool.end();
      await server?.stop();
    },
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Runs `operation` from `writers` concurrent loops for `durationMs`; returns operations per second. */
export async function throughput(
  writers: number,
  durationMs: number,
  operation: (writer: number, n: number) => Promise<void>,
) {
  const deadline = performance.now() + durationMs;
  const started = performance.now();
  let total = 0;
  await Promise.all(
    Array.from({ length: writers }, async (_, writer) => {
      for (let n = 0; performance.now() < deadline && n < 10_000_000; n++) {
        await operation(writer, n);
        total++;
      }
    }),
  );
  return total / ((performance.now() - started) / 1000);
}
