import type pg from 'pg';
import { loadMigrations } from '../../postgres/migrate';
import { SQL_INVARIANT_FUNCTIONS } from '../invariants/runSqlInvariants';
import { check, fail, pass, type PreflightCheck } from './preflightCheck';

/**
 * The tables of DESIGN §5 (named as the deployment checklist names them) and the service's own, with
 * the columns the checklist's verification SQL and the tools read.
 */
export const REQUIRED_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  events: [
    'transaction_id',
    'global_position',
    'stream_id',
    'stream_revision',
    'event_id',
    'event_type',
    'data',
    'metadata',
    'created_at',
  ],
  trade_executions: [
    'client_order_id',
    'user_id',
    'market',
    'side',
    'amount',
    'amount_quote',
    'price',
    'status',
    'bitvavo_order_id',
    'reconcile_attempts',
    'submitting_at',
    'submitted_at',
    'filled_at',
    'updated_at',
    'last_error',
    'stream_revision',
  ],
  execution_events: ['execution_id', 'global_position', 'event_type', 'data', 'created_at'],
  execution_stats_24h: [],
  user_execution_stats: ['user_id', 'executions_past_gates', 'success_rate', 'recovery_rate'],
  user_policies: ['user_id', 'trading_enabled', 'confidence_level'],
  invariant_check_results: [],
  projection_checkpoints: ['name', 'commit_position', 'prepare_position'],
  job_runs: ['job', 'started_at', 'finished_at', 'outcome'],
  job_heartbeats: ['instance_id', 'job', 'heartbeat_at', 'last_run_started_at', 'next_due_at'],
  api_keys: [],
};

/** Functions the checklist calls; the invariant ones are called here (read-only), the refresh only checked. */
const REFRESH_FUNCTIONS = ['refresh_execution_stats_24h'];

async function columnsOf(pool: pg.Pool): Promise<Map<string, Set<string>>> {
  const result = await pool.query<{ table_name: string; column_name: string }>(
    `SELECT table_name, column_name FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name = ANY($1::text[])`,
    [Object.keys(REQUIRED_COLUMNS)],
  );
  const tables = new Map<string, Set<string>>();
  for (const row of result.rows) {
    const columns = tables.get(row.table_name) ?? new Set<string>();
    columns.add(row.column_name);
    tables.set(row.table_name, columns);
  }
  return tables;
}

/** A UNIQUE constraint or unique index on exactly (client_order_id) of trade_executions. */
async function clientOrderIdIsUnique(pool: pg.Pool): Promise<boolean> {
  const result = await pool.query<{ found: boolean }>(
    `SELECT EXISTS (
       SELECT 1 FROM pg_index i
         JOIN pg_class t ON t.oid = i.indrelid
         JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = i.indkey[0]
        WHERE t.relname = 'trade_executions' AND t.relnamespace = current_schema()::regnamespace
          AND i.indisunique AND i.indnkeyatts = 1 AND i.indpred IS NULL AND a.attname = 'client_order_id'
     ) AS found`,
  );
  return result.rows[0]?.found === true;
}

export async function databaseChecks(pool: pg.Pool, where: string): Promise<PreflightCheck[]> {
  const checks: PreflightCheck[] = [];
  checks.push(
    await check('database', 'reachable', async () => {
      const result = await pool.query<{ server_version: string }>('SHOW server_version');
      return pass(`${where}, PostgreSQL ${result.rows[0]?.server_version ?? '?'}`);
    }),
  );
  if (!checks[0]!.ok) return checks;

  checks.push(
    await check('database', 'migrations applied', async () => {
      const expected = loadMigrations().map((migration) => migration.name);
      const applied = await pool
        .query<{ name: string }>('SELECT name FROM schema_migrations')
        .then((result) => new Set(result.rows.map((row) => row.name)))
        .catch(() => new Set<string>());
      const missing = expected.filter((name) => !applied.has(name));
      return missing.length === 0
        ? pass(`${expected.length} of ${expected.length}`)
        : fail(`not applied: ${missing.join(', ')} (run ledger migrate)`);
    }),
  );

  const columns = await columnsOf(pool).catch(() => new Map<string, Set<string>>());
  checks.push(
    await check('database', 'tables and columns', () => {
      const problems: string[] = [];
      for (const [table, required] of Object.entries(REQUIRED_COLUMNS)) {
        const present = columns.get(table);
        if (present === undefined) problems.push(`table ${table} missing`);
        else {
          const missing = required.filter((column) => !present.has(column));
          if (missing.length > 0) problems.push(`${table} lacks ${missing.join(', ')}`);
        }
      }
      return problems.length === 0
        ? pass(`${Object.keys(REQUIRED_COLUMNS).length} tables with their columns`)
        : fail(problems.join('; '));
    }),
  );

  checks.push(
    await check('database', 'unique constraint on trade_executions.client_order_id', async () =>
      (await clientOrderIdIsUnique(pool))
        ? pass('a unique index on (client_order_id)')
        : fail(
            'no unique constraint on trade_executions(client_order_id): the same order could be recorded twice',
          ),
    ),
  );

  checks.push(
    await check('database', 'invariant functions callable and holding', async () => {
      const violated: string[] = [];
      for (const { name } of SQL_INVARIANT_FUNCTIONS) {
        const result = await pool.query<{ count: string }>(`SELECT count(*) FROM ${name}()`);
        const count = Number(result.rows[0]?.count ?? 0);
        if (count > 0) violated.push(`${name}() returns ${count} violation${count === 1 ? '' : 's'}`);
      }
      return violated.length === 0
        ? pass(`${SQL_INVARIANT_FUNCTIONS.map(({ name }) => `${name}()`).join(', ')}: 0 rows`)
        : fail(`${violated.join('; ')} (ledger invariants shows them)`);
    }),
  );

  checks.push(
    await check('database', 'stats refresh function', async () => {
      const result = await pool.query<{ name: string; callable: boolean }>(
        `SELECT p.proname AS name, has_function_privilege(p.oid, 'EXECUTE') AS callable
           FROM pg_proc p WHERE p.proname = ANY($1::text[]) AND pg_function_is_visible(p.oid)`,
        [REFRESH_FUNCTIONS],
      );
      const callable = new Set(result.rows.filter((row) => row.callable).map((row) => row.name));
      const missing = REFRESH_FUNCTIONS.filter((name) => !callable.has(name));
      return missing.length === 0
        ? pass(`${REFRESH_FUNCTIONS.map((name) => `${name}()`).join(', ')} executable`)
        : fail(`missing or not executable: ${missing.join(', ')}`);
    }),
  );
  return checks;
}
