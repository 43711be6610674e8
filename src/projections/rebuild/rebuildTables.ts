import type pg from 'pg';
import { ProjectionError, tableSet } from '../projection';

/** The fresh tables a rebuild fills; renamed to the live names by the swap. */
export const REBUILD_TABLES = tableSet('__rebuild');
/** The live tables after the swap, until they are dropped. */
export const RETIRED_TABLES = tableSet('__old');
const REBUILD_OBJECT_SUFFIX = '__rb';
const RETIRED_OBJECT_SUFFIX = '__old';
const MAX_IDENTIFIER_LENGTH = 63;

interface KeyConstraint {
  readonly name: string;
  readonly definition: string;
}

interface PlainIndex {
  readonly name: string;
  readonly definition: string;
}

function suffixed(name: string, suffix: string): string {
  const result = `${name}${suffix}`;
  if (result.length > MAX_IDENTIFIER_LENGTH) throw new Error(`identifier ${result} is too long`);
  return result;
}

/** Constraints backed by an index (primary key, unique, exclusion): ON CONFLICT needs them at once. */
async function keyConstraints(client: pg.ClientBase, table: string): Promise<KeyConstraint[]> {
  const result = await client.query<{ name: string; definition: string }>(
    `SELECT conname AS name, pg_get_constraintdef(oid) AS definition FROM pg_constraint
      WHERE conrelid = $1::regclass AND contype IN ('p', 'u', 'x') ORDER BY conname`,
    [table],
  );
  return result.rows;
}

/** The other indexes: built once at the end of a rebuild, which is faster than row by row. */
async function plainIndexes(client: pg.ClientBase, table: string): Promise<PlainIndex[]> {
  const result = await client.query<{ name: string; definition: string }>(
    `SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS definition
       FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
      WHERE i.indrelid = $1::regclass
        AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
      ORDER BY c.relname`,
    [table],
  );
  return result.rows;
}

/** `CREATE INDEX name ON schema.table ...` with another index name and table. */
function retarget(definition: string, indexName: string, table: string): string {
  const match = /^CREATE (UNIQUE )?INDEX (\S+) ON (?:ONLY )?(\S+) (.*)$/s.exec(definition);
  if (!match) throw new Error(`unexpected index definition: ${definition}`);
  return `CREATE ${match[1] ?? ''}INDEX ${indexName} ON ${table} ${match[4] ?? ''}`;
}

/**
 * Creates empty copies of the live tables (columns, defaults, checks, generated columns, key
 * constraints), dropping leftovers of an earlier, interrupted rebuild first.
 */
export async function createRebuildTables(client: pg.ClientBase, tables: readonly string[]): Promise<void> {
  for (const table of tables) {
    const fresh = REBUILD_TABLES.table(table);
    await client.query(`DROP TABLE IF EXISTS ${fresh}`);
    await client.query(`DROP TABLE IF EXISTS ${RETIRED_TABLES.table(table)}`);
    await client.query(
      `CREATE TABLE ${fresh} (LIKE ${table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED
         INCLUDING IDENTITY INCLUDING STORAGE INCLUDING COMMENTS)`,
    );
    for (const constraint of await keyConstraints(client, table)) {
      await client.query(
        `ALTER TABLE ${fresh} ADD CONSTRAINT ${suffixed(constraint.name, REBUILD_OBJECT_SUFFIX)} ${constraint.definition}`,
      );
    }
  }
}

/** Builds the secondary indexes of the fresh tables (before the swap, outside its transaction). */
export async function createRebuildIndexes(client: pg.ClientBase, tables: readonly string[]): Promise<void> {
  for (const table of tables) {
    for (const index of await plainIndexes(client, table)) {
      const name = suffixed(index.name, REBUILD_OBJECT_SUFFIX);
      await client.query(`DROP INDEX IF EXISTS ${name}`);
      await client.query(retarget(index.definition, name, REBUILD_TABLES.table(table)));
    }
  }
}

async function renameObjects(client: pg.ClientBase, table: string, from: string, to: string): Promise<void> {
  for (const constraint of await keyConstraints(client, table)) {
    if (!constraint.name.endsWith(from)) continue;
    const base = constraint.name.slice(0, constraint.name.length - from.length);
    // Renaming an index-backed constraint renames its index too.
    await client.query(`ALTER TABLE ${table} RENAME CONSTRAINT ${constraint.name} TO ${suffixed(base, to)}`);
  }
  for (const index of await plainIndexes(client, table)) {
    if (!index.name.endsWith(from)) continue;
    const base = index.name.slice(0, index.name.length - from.length);
    await client.query(`ALTER INDEX ${index.name} RENAME TO ${suffixed(base, to)}`);
  }
}

/**
 * Inside the caller's transaction: the live tables become `<name>__old` and the fresh ones take the
 * live names, with their constraint and index names, so nothing that refers to a name notices.
 */
export async function swapInRebuildTables(
  client: pg.ClientBase,
  tables: readonly string[],
  projection: string,
) {
  for (const table of tables) {
    const retired = RETIRED_TABLES.table(table);
    const exists = await client.query(`SELECT to_regclass($1) IS NOT NULL AS present`, [retired]);
    if ((exists.rows[0] as { present: boolean }).present) {
      throw new ProjectionError('PROJECTION_SWAP_FAILED', `${retired} exists; drop it first`, projection);
    }
    await client.query(`ALTER TABLE ${table} RENAME TO ${retired}`);
    await renameObjects(client, retired, '', RETIRED_OBJECT_SUFFIX);
    await client.query(`ALTER TABLE ${REBUILD_TABLES.table(table)} RENAME TO ${table}`);
    await renameObjects(client, table, REBUILD_OBJECT_SUFFIX, '');
  }
}

export async function dropTables(client: pg.ClientBase, tables: readonly string[]): Promise<void> {
  for (const table of tables) await client.query(`DROP TABLE IF EXISTS ${table}`);
}
