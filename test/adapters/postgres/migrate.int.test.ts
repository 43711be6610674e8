import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { loadMigrations, migrate } from '../../../src/adapters/postgres/migrate';

let adminUrl: string;
let name: string;
let pool: pg.Pool;

beforeAll(async () => {
  adminUrl = inject('adminDatabaseUrl');
  name = `m_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  pool = new pg.Pool({ connectionString: url.toString(), max: 10 });
});
afterAll(async () => {
  await pool.end();
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
});

describe('migrate', () => {
  it('applies every migration once even when three processes start at once, and again is harmless', async () => {
    const all = loadMigrations();
    const results = await Promise.all([migrate(pool), migrate(pool), migrate(pool)]);
    const appliedNames = results.flatMap((result) => result.applied).sort();
    expect(appliedNames).toEqual(all.map((migration) => migration.name).sort());
    const again = await migrate(pool);
    expect(again.applied).toEqual([]);
    expect(again.alreadyApplied).toBe(all.length);
    const recorded = await pool.query('SELECT version FROM schema_migrations ORDER BY version');
    expect(recorded.rows.map((row: { version: number }) => row.version)).toEqual(all.map((m) => m.version));
  });

  it('refuses a migration that was edited after it was applied', async () => {
    const [first, ...rest] = loadMigrations();
    await expect(migrate(pool, [{ ...first!, checksum: 'edited' }, ...rest])).rejects.toThrow(
      /changed after it was applied/,
    );
  });

  it('rolls back a failing migration as a whole and records nothing', async () => {
    const broken = {
      version: 999,
      name: '999_broken.sql',
      sql: 'CREATE TABLE half_done (id int); SELECT no_such_function();',
      checksum: 'x',
    };
    await expect(migrate(pool, [...loadMigrations(), broken])).rejects.toThrow(/999_broken.sql failed/);
    const table = await pool.query("SELECT to_regclass('half_done') AS t");
    expect(table.rows[0].t).toBeNull();
    const recorded = await pool.query('SELECT 1 FROM schema_migrations WHERE version = 999');
    expect(recorded.rowCount).toBe(0);
  });
});
