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
  /** p (primary key), u (unique) or x (exclusion). */
  readonly type: string;
  /** The CREATE INDEX statement of the index behind it. */
  readonly indexDefinition: string;
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
  const result = await client.query<KeyConstraint>(
    `SELECT conname AS name, pg_get_constraintdef(oid) AS definition, contype AS type,
            pg_get_indexdef(conindid) AS "indexDefinition"
       FROM pg_constraint
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
 * constraints), dropping leftovers of an earlier, interrupted rebuild first. The key constraints of
 * `keysAfterLoad` wait for createRebuildIndexes: nothing the bulk load does relies on them.
 */
export async function createRebuildTables(
  client: pg.ClientBase,
  tables: readonly string[],
  keysAfterLoad: readonly string[] = [],
): Promise<void> {
  for (const table of tables) {
    const fresh = REBUILD_TABLES.table(table);
    await client.query(`DROP TABLE IF EXISTS ${fresh}`);
    await client.query(`DROP TABLE IF EXISTS ${RETIRED_TABLES.table(table)}`);
    await client.query(
      `CREATE TABLE ${fresh} (LIKE ${table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED
         INCLUDING IDENTITY INCLUDING STORAGE INCLUDING COMMENTS)`,
    );
    if (keysAfterLoad.includes(table)) continue;
    for (const constraint of await keyConstraints(client, table)) {
      await client.query(
        `ALTER TABLE ${fresh} ADD CONSTRAINT ${suffixed(constraint.name, REBUILD_OBJECT_SUFFIX)} ${constraint.definition}`,
      );
    }
  }
}

/** Sessions that build indexes side by side (PostgreSQL may add parallel workers to each). */
const INDEX_BUILD_SESSIONS = 2;
/** Sort memory of one index build: a million-row index then sorts in memory. */
const INDEX_BUILD_MEMORY = '128MB';

/**
 * Builds the secondary indexes of the fresh tables, and the key constraints left for after the load
 * (before the swap, outside its transaction): a bulk build sorts once, which costs a fraction of
 * keeping an index up to date row by row. The builds run on a few sessions at once, since the
 * rebuild's own process is idle meanwhile; a key's unique index is built like the others, then
 * attached as the constraint (a duplicate fails the rebuild here).
 */
export async function createRebuildIndexes(
  pool: pg.Pool,
  tables: readonly string[],
  keysAfterLoad: readonly string[] = [],
): Promise<void> {
  const builds: string[] = [];
  const attach: string[] = [];
  const client = await pool.connect();
  try {
    for (const table of tables) {
      const fresh = REBUILD_TABLES.table(table);
      if (keysAfterLoad.includes(table)) {
        for (const constraint of await keyConstraints(client, table)) {
          const name = suffixed(constraint.name, REBUILD_OBJECT_SUFFIX);
          if (constraint.type === 'x') {
            attach.push(`ALTER TABLE ${fresh} ADD CONSTRAINT ${name} ${constraint.definition}`);
            continue;
          }
          await client.query(`ALTER TABLE ${fresh} DROP CONSTRAINT IF EXISTS ${name}`);
          await client.query(`DROP INDEX IF EXISTS ${name}`);
          builds.push(retarget(constraint.indexDefinition, name, fresh));
          const kind = constraint.type === 'p' ? 'PRIMARY KEY' : 'UNIQUE';
          attach.push(`ALTER TABLE ${fresh} ADD CONSTRAINT ${name} ${kind} USING INDEX ${name}`);
        }
      }
      for (const index of await plainIndexes(client, table)) {
        const name = suffixed(index.name, REBUILD_OBJECT_SUFFIX);
        await client.query(`DROP INDEX IF EXISTS ${name}`);
        builds.push(retarget(index.definition, name, fresh));
      }
    }
  } finally {
    client.release();
  }
  const queue = [...builds];
  const session = async () => {
    const worker = await pool.connect();
    try {
      await worker.query(`SET maintenance_work_mem = '${INDEX_BUILD_MEMORY}'`);
      // Bounded by the list: each turn takes one statement off it.
      for (let statement = queue.shift(); statement !== undefined; statement = queue.shift()) {
        await worker.query(statement);
      }
      await worker.query('RESET maintenance_work_mem');
    } finally {
      worker.release();
    }
  };
  await Promise.all(Array.from({ length: Math.min(INDEX_BUILD_SESSIONS, builds.length) }, session));
  // Attaching takes the table's exclusive lock for a moment: after every build on it has finished.
  for (const statement of attach) await pool.query(statement);
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
