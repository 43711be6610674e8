import type pg from 'pg';
import type { ExecutionInvariant } from '../../../domain/invariants';

/** The read-model invariant functions of the deployment checklist (sql/003_invariant_functions.sql). */
export const SQL_INVARIANT_FUNCTIONS = [
  { name: 'check_no_duplicates', invariant: 'no_duplicates' },
  { name: 'check_no_stale_submitting', invariant: 'no_stale_submitting' },
  { name: 'check_no_missing_order_id', invariant: 'no_missing_order_id' },
  { name: 'check_client_order_id_set', invariant: 'client_order_id_set' },
] as const satisfies readonly { name: string; invariant: ExecutionInvariant }[];

export interface SqlInvariantResult {
  readonly function: string;
  readonly invariant: ExecutionInvariant;
  /** `false`: the function is missing or failed (see `error`); that is a failure too. */
  readonly ran: boolean;
  readonly violations: number;
  /** The first rows the function returned, as returned. */
  readonly rows: Record<string, unknown>[];
  readonly error: string | null;
}

const MAX_ROWS_SHOWN = 100;

/**
 * The operational stale-SUBMITTING threshold: check_no_stale_submitting()'s default (sql/003), which
 * the hourly invariants job and the sweeper's alert use. The CLI applies it to both its SQL and its
 * replayed checks, so that the two modes and the job agree.
 */
export const OPERATIONAL_STALE_SUBMITTING_MS = 10 * 60_000;

/** Runs each function as a read-only query; one missing or failing function does not stop the others. */
export async function runSqlInvariants(
  pool: pg.Pool,
  options: { staleSubmittingAfterMs?: number },
): Promise<SqlInvariantResult[]> {
  const results: SqlInvariantResult[] = [];
  for (const { name, invariant } of SQL_INVARIANT_FUNCTIONS) {
    try {
      const exists = await pool.query<{ found: boolean }>(
        'SELECT EXISTS (SELECT 1 FROM pg_proc WHERE proname = $1 AND pg_function_is_visible(oid)) AS found',
        [name],
      );
      if (!exists.rows[0]?.found) {
        results.push({
          function: name,
          invariant,
          ran: false,
          violations: 0,
          rows: [],
          error: `${name}() does not exist (run ledger migrate)`,
        });
        continue;
      }
      const withAge = name === 'check_no_stale_submitting' && options.staleSubmittingAfterMs !== undefined;
      const count = await pool.query<{ count: string }>(
        withAge ? `SELECT count(*) FROM ${name}($1::interval)` : `SELECT count(*) FROM ${name}()`,
        withAge ? [`${options.staleSubmittingAfterMs} milliseconds`] : [],
      );
      const violations = Number(count.rows[0]?.count ?? 0);
      const rows =
        violations === 0
          ? []
          : (
              await pool.query<Record<string, unknown>>(
                withAge
                  ? `SELECT * FROM ${name}($1::interval) LIMIT ${MAX_ROWS_SHOWN}`
                  : `SELECT * FROM ${name}() LIMIT ${MAX_ROWS_SHOWN}`,
                withAge ? [`${options.staleSubmittingAfterMs} milliseconds`] : [],
              )
            ).rows;
      results.push({ function: name, invariant, ran: true, violations, rows, error: null });
    } catch (error) {
      results.push({
        function: name,
        invariant,
        ran: false,
        violations: 0,
        rows: [],
        error: (error as Error).message,
      });
    }
  }
  return results;
}
