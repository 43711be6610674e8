import { Decimal } from 'decimal.js';
import type pg from 'pg';
import { confidenceLevelSchema, effectiveOrderLimitEur } from '../../../domain/policy';
import { INVARIANT_CHECKS } from '../../../jobs/invariantsJob';
import type { Dashboard } from './dashboardSchema';

// One query per card of the operations page, over the read models (DESIGN §5) and job_runs. All of
// them are bounded (a fixed window, LIMIT, or one row per check / job / projection) and use the
// indexes the tables already have, so the page can poll every few seconds.

export const CHART_HOURS = 48;
export const RECOVERY_WINDOW_HOURS = 24;
/** DESIGN §4: more than 5 % of executions needing reconciliation is an incident. */
export const RECOVERY_THRESHOLD_PCT = 5;
export const MAX_SUBMITTING_ROWS = 100;
export const MAX_PROMOTION_ROWS = 100;
const MAX_LINKED_EXECUTIONS = 20;
const MAX_TEXT = 300;

const iso = (value: Date | string | null | undefined): string | null =>
  value === null || value === undefined ? null : new Date(value).toISOString();
const clip = (text: string): string => (text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text);

export async function readExecutionsPerHour(
  db: pg.Pool,
  nowMs: number,
): Promise<Dashboard['executionsPerHour']> {
  // Executions by the hour of their first event; outcomes as refresh_execution_stats_24h() counts
  // them (sql/004), so the chart and the daily row agree. Series overlap on purpose: an execution
  // that needed reconciliation and then filled is a soft failure and a fill.
  const result = await db.query<{
    hour: Date;
    filled: string;
    submitted: string;
    rejected: string;
    hard_failures: string;
    soft_failures: string;
    past_gates: string;
  }>(
    // Grouped by hour first (one pass over the window, by the created_at index), then laid on the
    // 48 hours so that empty hours are zeros. Hours are UTC whatever the session's time zone.
    `WITH bounds AS (
       SELECT date_trunc('hour', $1::timestamptz, 'UTC') - ($2::int - 1) * interval '1 hour' AS first_hour,
              date_trunc('hour', $1::timestamptz, 'UTC') AS last_hour
     ), per_hour AS (
       SELECT date_trunc('hour', t.created_at, 'UTC') AS hour,
              count(*) FILTER (WHERE t.status = 'FILLED') AS filled,
              count(*) FILTER (WHERE t.submitted_at IS NOT NULL) AS submitted,
              count(*) FILTER (WHERE t.status = 'REJECTED') AS rejected,
              count(*) FILTER (WHERE t.status = 'FAILED' AND t.end_reason IS NULL) AS hard_failures,
              count(*) FILTER (WHERE t.needed_reconciliation) AS soft_failures,
              count(*) FILTER (WHERE t.status <> 'REJECTED') AS past_gates
         FROM trade_executions t, bounds b
        WHERE t.created_at >= b.first_hour AND t.created_at < b.last_hour + interval '1 hour'
        GROUP BY 1
     )
     SELECT h.hour, coalesce(p.filled, 0) AS filled, coalesce(p.submitted, 0) AS submitted,
            coalesce(p.rejected, 0) AS rejected, coalesce(p.hard_failures, 0) AS hard_failures,
            coalesce(p.soft_failures, 0) AS soft_failures, coalesce(p.past_gates, 0) AS past_gates
       FROM bounds b, generate_series(b.first_hour, b.last_hour, interval '1 hour') AS h(hour)
       LEFT JOIN per_hour p ON p.hour = h.hour
      ORDER BY h.hour`,
    [new Date(nowMs).toISOString(), CHART_HOURS],
  );
  const series = (pick: (row: (typeof result.rows)[number]) => string) =>
    result.rows.map((row) => Number(pick(row)));
  return {
    hours: result.rows.map((row) => row.hour.toISOString()),
    filled: series((row) => row.filled),
    submitted: series((row) => row.submitted),
    rejected: series((row) => row.rejected),
    hardFailures: series((row) => row.hard_failures),
    softFailures: series((row) => row.soft_failures),
    pastGates: series((row) => row.past_gates),
  };
}

export async function readRecovery(db: pg.Pool, nowMs: number): Promise<Dashboard['recovery']> {
  const live = await db.query<{ past_gates: string; needed: string }>(
    `SELECT count(*) FILTER (WHERE status <> 'REJECTED') AS past_gates,
            count(*) FILTER (WHERE needed_reconciliation) AS needed
       FROM trade_executions
      WHERE created_at > $1::timestamptz - $2::int * interval '1 hour' AND created_at <= $1::timestamptz`,
    [new Date(nowMs).toISOString(), RECOVERY_WINDOW_HOURS],
  );
  const stored = await db.query<{ recovery_rate_pct: string; created_at: Date }>(
    'SELECT recovery_rate_pct, created_at FROM execution_stats_24h ORDER BY created_at DESC LIMIT 1',
  );
  const pastGates = Number(live.rows[0]?.past_gates ?? 0);
  const needed = Number(live.rows[0]?.needed ?? 0);
  const rate = pastGates === 0 ? new Decimal(0) : new Decimal(needed).div(pastGates);
  return {
    windowHours: RECOVERY_WINDOW_HOURS,
    pastGates,
    neededReconciliation: needed,
    rate: rate.toFixed(6, Decimal.ROUND_DOWN),
    thresholdPct: RECOVERY_THRESHOLD_PCT,
    aboveThreshold: rate.times(100).greaterThan(RECOVERY_THRESHOLD_PCT),
    lastStoredPct: stored.rows[0]?.recovery_rate_pct ?? null,
    lastStoredAt: iso(stored.rows[0]?.created_at),
  };
}

const INVARIANT_DESCRIPTIONS: Readonly<Record<(typeof INVARIANT_CHECKS)[number], string>> = {
  check_no_duplicates: 'one exchange order belongs to one execution',
  check_no_stale_submitting: 'nothing stays SUBMITTING for more than 10 minutes',
  check_no_missing_order_id: 'every acknowledged execution carries the exchange order id',
  check_client_order_id_set: 'every execution has a UUID clientOrderId',
};

/** The executions a stored violation row names (`client_order_id`, or `client_order_ids` for duplicates). */
function executionIdsOf(details: unknown): string[] {
  if (!Array.isArray(details)) return [];
  const ids = new Set<string>();
  for (const row of details.slice(0, MAX_LINKED_EXECUTIONS)) {
    if (row === null || typeof row !== 'object') continue;
    const record = row as Record<string, unknown>;
    if (typeof record.client_order_id === 'string') ids.add(record.client_order_id);
    if (Array.isArray(record.client_order_ids)) {
      for (const id of record.client_order_ids) if (typeof id === 'string') ids.add(id);
    }
    if (ids.size >= MAX_LINKED_EXECUTIONS) break;
  }
  return [...ids].slice(0, MAX_LINKED_EXECUTIONS);
}

export async function readInvariants(db: pg.Pool, nowMs: number): Promise<Dashboard['invariants']> {
  // One index probe per check (invariant_check_results_recent_idx), plus the last failure in 48 h
  // (the window that holds promotions back).
  const result = await db.query<{
    check_name: string;
    ran_at: Date | null;
    violations: number | null;
    details: unknown;
    ok: boolean | null;
    last_violation_at: Date | null;
  }>(
    `SELECT c.check_name, last.ran_at, last.violations, last.details, last.ok, bad.ran_at AS last_violation_at
       FROM unnest($1::text[]) AS c(check_name)
       LEFT JOIN LATERAL (SELECT ran_at, violations, details, ok FROM invariant_check_results r
                           WHERE r.check_name = c.check_name ORDER BY ran_at DESC LIMIT 1) last ON true
       LEFT JOIN LATERAL (SELECT ran_at FROM invariant_check_results r
                           WHERE r.check_name = c.check_name AND NOT r.ok
                             AND r.ran_at > $2::timestamptz - interval '48 hours'
                           ORDER BY ran_at DESC LIMIT 1) bad ON true`,
    [[...INVARIANT_CHECKS], new Date(nowMs).toISOString()],
  );
  return INVARIANT_CHECKS.map((check) => {
    const row = result.rows.find((candidate) => candidate.check_name === check);
    const ids = executionIdsOf(row?.details);
    const first = Array.isArray(row?.details) ? (row.details as unknown[])[0] : undefined;
    return {
      check,
      description: INVARIANT_DESCRIPTIONS[check],
      lastRunAt: iso(row?.ran_at),
      ok: row?.ok ?? null,
      violations: row?.violations ?? 0,
      executionIds: ids,
      summary: row?.ok === false && first !== undefined ? clip(JSON.stringify(first)) : null,
      lastViolationAt: iso(row?.last_violation_at),
    };
  });
}

export async function readSubmitting(
  db: pg.Pool,
  nowMs: number,
  staleAfterMs: number,
): Promise<Dashboard['submitting']> {
  const now = new Date(nowMs).toISOString();
  // Counts over all SUBMITTING rows (window aggregates run before LIMIT), the oldest 100 listed.
  const result = await db.query<{
    client_order_id: string;
    user_id: string;
    market: string;
    side: string;
    submitting_at: Date | null;
    updated_at: Date;
    reconcile_attempts: number;
    last_error: string | null;
    total: string;
    stale_total: string;
  }>(
    `SELECT client_order_id, user_id, market, side, submitting_at, updated_at, reconcile_attempts, last_error,
            count(*) OVER () AS total,
            count(*) FILTER (WHERE updated_at < $1::timestamptz - $2::bigint * interval '1 millisecond') OVER () AS stale_total
       FROM trade_executions
      WHERE status = 'SUBMITTING'
      ORDER BY updated_at, client_order_id
      LIMIT $3`,
    [now, staleAfterMs, MAX_SUBMITTING_ROWS],
  );
  return {
    staleAfterSeconds: Math.round(staleAfterMs / 1000),
    total: Number(result.rows[0]?.total ?? 0),
    stale: Number(result.rows[0]?.stale_total ?? 0),
    items: result.rows.map((row) => {
      const ageMs = Math.max(0, nowMs - row.updated_at.getTime());
      return {
        clientOrderId: row.client_order_id,
        userId: row.user_id,
        market: row.market,
        side: row.side,
        submittingAt: iso(row.submitting_at),
        updatedAt: row.updated_at.toISOString(),
        ageSeconds: Math.floor(ageMs / 1000),
        reconcileAttempts: row.reconcile_attempts,
        lastError: row.last_error === null ? null : clip(row.last_error),
        stale: ageMs > staleAfterMs,
      };
    }),
  };
}

interface PendingPromotionJson {
  fromLevel?: string;
  toLevel?: string;
  proposedAt?: string;
  reason?: string;
  stats?: { executionsPastGates?: number; successRate?: string; recoveryRate?: string };
}

export async function readPromotions(db: pg.Pool): Promise<Dashboard['promotions']> {
  const result = await db.query<{
    user_id: string;
    confidence_level: string;
    order_limit_eur: string | null;
    effective_limit_eur: string | null;
    pending_promotion: PendingPromotionJson;
  }>(
    `SELECT user_id, confidence_level, order_limit_eur, effective_limit_eur, pending_promotion FROM user_policies
      WHERE pending_promotion IS NOT NULL
      ORDER BY pending_promotion->>'proposedAt', user_id
      LIMIT $1`,
    [MAX_PROMOTION_ROWS],
  );
  return result.rows.map((row) => {
    const pending = row.pending_promotion;
    const toLevel = confidenceLevelSchema.safeParse(pending.toLevel);
    // The stats are those the proposal was made on (recorded in PromotionProposed): what the
    // operator approves is what the job saw.
    return {
      userId: row.user_id,
      fromLevel: pending.fromLevel ?? row.confidence_level,
      toLevel: pending.toLevel ?? '?',
      proposedAt: pending.proposedAt ?? null,
      reason: pending.reason ?? null,
      stats: {
        executionsPastGates: pending.stats?.executionsPastGates ?? 0,
        successRate: pending.stats?.successRate ?? '0',
        recoveryRate: pending.stats?.recoveryRate ?? '0',
      },
      currentLimitEur: row.effective_limit_eur,
      // The user's override, if any, keeps lowering the new level's limit.
      newLimitEur: toLevel.success ? effectiveOrderLimitEur(toLevel.data, row.order_limit_eur) : null,
    };
  });
}
