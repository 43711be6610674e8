import { randomBytes } from 'node:crypto';
import type pg from 'pg';

export interface ThrowawayDatabase {
  readonly name: string;
  readonly connectionString: string;
  drop(): Promise<void>;
}

/**
 * A fresh database on the configured server (DATABASE_URL's, or the embedded one), so that a staging
 * run never mixes its executions with real ones. Needs CREATEDB (the embedded server's user has it).
 */
export async function createThrowawayDatabase(
  adminPool: pg.Pool,
  serverConnectionString: string,
  label: string,
): Promise<ThrowawayDatabase> {
  const name = `ledger_sim_${label.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  await adminPool.query(`CREATE DATABASE ${name}`);
  const url = new URL(serverConnectionString);
  url.pathname = `/${name}`;
  return {
    name,
    connectionString: url.toString(),
    async drop() {
      await adminPool.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

/**
 * A connection string fit to print: the password replaced, in the user-info part and in any query
 * parameter that carries one (pg reads `?password=` and `?sslpassword=` too).
 */
export function withoutPassword(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    if (url.password !== '') url.password = '***';
    for (const key of [...url.searchParams.keys()]) {
      if (/password/i.test(key)) url.searchParams.set(key, '***');
    }
    return url.toString();
  } catch {
    return '[database url]';
  }
}
