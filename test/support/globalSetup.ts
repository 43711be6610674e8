import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { migrate } from '../../src/adapters/postgres/migrate';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/adapters/postgres/embeddedPostgres';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A superuser connection to the test server's maintenance database. */
    adminDatabaseUrl: string;
    /** A migrated database that createTestDatabase() clones. */
    templateDatabase: string;
  }
}

let server: EmbeddedPostgres | undefined;

/**
 * One PostgreSQL per test run (not per test): the embedded one, or DATABASE_URL when it is set. A
 * migrated template database is made once; each test file clones it (CREATE DATABASE ... TEMPLATE).
 */
export async function setup(project: TestProject): Promise<void> {
  let baseUrl = process.env.DATABASE_URL;
  if (!baseUrl) {
    server = await startEmbeddedPostgres({ ephemeral: true });
    baseUrl = server.connectionString;
  }
  const adminUrl = new URL(baseUrl);
  adminUrl.pathname = '/postgres';
  const template = `ledger_template_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl.toString() });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${template}`);
  await admin.query(`CREATE DATABASE ${template}`);
  await admin.end();
  const templateUrl = new URL(adminUrl);
  templateUrl.pathname = `/${template}`;
  const pool = new pg.Pool({ connectionString: templateUrl.toString(), max: 1 });
  await migrate(pool);
  await pool.end();
  project.provide('adminDatabaseUrl', adminUrl.toString());
  project.provide('templateDatabase', template);
}

export async function teardown(): Promise<void> {
  await server?.stop();
}
