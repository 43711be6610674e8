import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';

export const SQL_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../sql');

/** Any constant will do, as long as nothing else uses it: the migration lock of this schema. */
const MIGRATION_LOCK_KEY = 7_264_001;
const MAX_MIGRATIONS = 1000;

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
  readonly checksum: string;
}

export function loadMigrations(dir: string = SQL_DIR): Migration[] {
  const files = fs.readdirSync(dir).filter((name) => /^\d{3}_[a-z0-9_]+\.sql$/.test(name));
  if (files.length > MAX_MIGRATIONS) throw new Error(`too many migrations in ${dir}`);
  const migrations = files
    .map((name) => {
      const sql = fs.readFileSync(path.join(dir, name), 'utf8');
      return {
        version: Number(name.slice(0, 3)),
        name,
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      };
    })
    .sort((a, b) => a.version - b.version);
  for (let index = 1; index < migrations.length; index++) {
    if (migrations[index]?.version === migrations[index - 1]?.version) {
      throw new Error(`two migrations share version ${migrations[index]?.version}`);
    }
  }
  return migrations;
}

export interface MigrateResult {
  readonly applied: string[];
  readonly alreadyApplied: number;
}

/**
 * Applies the numbered files of sql/ in order, each once and in its own transaction, under a
 * session advisory lock so that processes starting together do not race. A migration that was
 * applied and has since been edited is an error: history is not rewritten.
 */
export async function migrate(
  pool: pg.Pool,
  migrations: Migration[] = loadMigrations(),
): Promise<MigrateResult> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version int PRIMARY KEY,
      name text NOT NULL,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const done = await client.query<{ version: number; name: string; checksum: string }>(
      'SELECT version, name, checksum FROM schema_migrations',
    );
    const appliedByVersion = new Map(done.rows.map((row) => [row.version, row]));
    const applied: string[] = [];
    for (const migration of migrations) {
      const previous = appliedByVersion.get(migration.version);
      if (previous) {
        if (previous.checksum !== migration.checksum) {
          throw new Error(`migration ${migration.name} was changed after it was applied (checksum differs)`);
        }
        continue;
      }
      await client.query('BEGIN');
      try {
        await client.query(migration.sql);
        await client.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
          migration.version,
          migration.name,
          migration.checksum,
        ]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${migration.name} failed: ${(error as Error).message}`);
      }
      applied.push(migration.name);
    }
    return { applied, alreadyApplied: migrations.length - applied.length };
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    client.release();
  }
}
