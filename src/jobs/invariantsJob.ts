import type pg from 'pg';
import type { Notifier } from '../adapters/alerts/notifier';
import type { Clock } from '../domain/ports/clock';
import type { JobDefinition, JobRunResult } from './scheduler/jobDefinition';

/** The deployment checklist's invariants (sql/003): each returns its violations as rows. */
export const INVARIANT_CHECKS = [
  'check_no_duplicates',
  'check_no_stale_submitting',
  'check_no_missing_order_id',
  'check_client_order_id_set',
] as const;
export type InvariantCheckName = (typeof INVARIANT_CHECKS)[number];

/** Rows kept per check in `invariant_check_results.details` (the count is always exact). */
export const MAX_DETAIL_ROWS = 20;

export interface InvariantCheckResult {
  readonly check: InvariantCheckName;
  readonly violations: number;
  readonly sample: Record<string, unknown>[];
}

export interface InvariantsJobDeps {
  readonly pool: pg.Pool;
  readonly clock: Clock;
  readonly notifier: Notifier;
  /** Metrics: the violations of each check after every run. */
  readonly onResults?: (results: readonly InvariantCheckResult[]) => void;
}

async function runCheck(pool: pg.Pool, check: InvariantCheckName): Promise<InvariantCheckResult> {
  // count(*) OVER () is computed before LIMIT: the count is exact, the sample is bounded.
  const result = await pool.query<Record<string, unknown> & { violations_total: string }>(
    `SELECT count(*) OVER () AS violations_total, c.* FROM ${check}() AS c LIMIT $1`,
    [MAX_DETAIL_ROWS],
  );
  const violations = Number(result.rows[0]?.violations_total ?? 0);
  const sample = result.rows.map(({ violations_total: _total, ...row }) => row);
  return { check, violations, sample };
}

/** Runs every check, stores one row per check (all in one transaction), alerts when any fails. */
export async function runInvariantChecks(
  deps: InvariantsJobDeps,
  nowMs: number,
): Promise<InvariantCheckResult[]> {
  const results: InvariantCheckResult[] = [];
  const errors: { check: InvariantCheckName; message: string }[] = [];
  for (const check of INVARIANT_CHECKS) {
    try {
      results.push(await runCheck(deps.pool, check));
    } catch (error) {
      errors.push({ check, message: (error as Error).message.slice(0, 500) });
    }
  }
  const ranAt = new Date(nowMs).toISOString();
  const client = await deps.pool.connect();
  try {
    await client.query('BEGIN');
    for (const result of results) {
      await client.query(
        `INSERT INTO invariant_check_results (check_name, ran_at, violations, details, ok) VALUES ($1, $2, $3, $4, $5)`,
        [result.check, ranAt, result.violations, JSON.stringify(result.sample), result.violations === 0],
      );
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
  deps.onResults?.(results);

  const failing = results.filter((result) => result.violations > 0);
  if (failing.length > 0) {
    deps.notifier.alertOps({
      severity: 'critical',
      title: `Invariant violated: ${failing.map((result) => result.check).join(', ')}`,
      text:
        failing
          .map(
            (result) =>
              `${result.check}: ${result.violations} violation(s); first: ${JSON.stringify(result.sample[0] ?? {})}`,
          )
          .join('\n') + '\nPromotions are held for 48 h. `ledger invariants` shows every violation.',
      fields: Object.fromEntries(failing.map((result) => [result.check, result.violations])),
    });
  }
  if (errors.length > 0) {
    deps.notifier.alertOps({
      severity: 'critical',
      title: 'Invariant checks could not run',
      text: errors.map((error) => `${error.check}: ${error.message}`).join('\n'),
    });
    throw new Error(`invariant checks failed to run: ${errors.map((error) => error.check).join(', ')}`);
  }
  return results;
}

export const INVARIANTS_JOB_NAME = 'invariants';

export function invariantsJob(deps: InvariantsJobDeps, schedule = { cron: '0 * * * *' }): JobDefinition {
  return {
    name: INVARIANTS_JOB_NAME,
    schedule,
    async run(context): Promise<JobRunResult> {
      const results = await runInvariantChecks(deps, context.nowMs);
      return {
        detail: {
          violations: Object.fromEntries(results.map((result) => [result.check, result.violations])),
          ok: results.every((result) => result.violations === 0),
        },
      };
    },
  };
}
