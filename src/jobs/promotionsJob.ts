import type pg from 'pg';
import type { Notifier } from '../adapters/alerts/notifier';
import type { UserPolicyService } from '../application/policy/userPolicyService';
import { PROMOTION_THRESHOLDS, UserPolicyError, type UserPolicyState } from '../domain/policy';
import { findPromotionCandidates, type UserExecutionStats } from '../domain/promotion';
import type { JobDefinition, JobRunResult } from './scheduler/jobDefinition';

export const PROMOTIONS_JOB_NAME = 'promotions';
/** Users looked at per run at most (by user id; the rest wait for the next hour). */
export const MAX_USERS_PER_RUN = 1_000;

export interface PromotionsJobDeps {
  readonly pool: pg.Pool;
  readonly policy: Pick<UserPolicyService, 'read' | 'execute'>;
  readonly notifier: Notifier;
}

/** The lowest bar any promotion has: nobody below it needs their policy read. */
const MIN_SUCCESSFUL_FOR_ANY = Math.min(
  ...Object.values(PROMOTION_THRESHOLDS).map((threshold) => threshold.minSuccessful),
);

async function invariantHistory(
  pool: pg.Pool,
): Promise<{ lastViolationMs: number | null; firstCheckMs: number | null }> {
  const result = await pool.query<{ last_violation: Date | null; first_check: Date | null }>(
    `SELECT max(ran_at) FILTER (WHERE NOT ok) AS last_violation, min(ran_at) AS first_check FROM invariant_check_results`,
  );
  const row = result.rows[0];
  return {
    lastViolationMs: row?.last_violation?.getTime() ?? null,
    firstCheckMs: row?.first_check?.getTime() ?? null,
  };
}

/**
 * Hourly at :30 (DESIGN §4): proposes the next level for users whose cumulative stats meet its
 * thresholds, only after 48 hours of invariant checks without a violation. A proposal is a
 * `PromotionProposed` in the user's policy stream; the decider refuses a second one while one is
 * pending, so a user is proposed once per level until an operator decides.
 */
export async function proposePromotions(deps: PromotionsJobDeps, nowMs: number): Promise<JobRunResult> {
  const { lastViolationMs, firstCheckMs } = await invariantHistory(deps.pool);
  const statsResult = await deps.pool.query<{
    user_id: string;
    executions_past_gates: string;
    successful: string;
    reconciled: string;
  }>(
    `SELECT user_id, executions_past_gates, successful, reconciled
       FROM user_execution_stats WHERE successful >= $1 ORDER BY user_id LIMIT $2`,
    [MIN_SUCCESSFUL_FOR_ANY, MAX_USERS_PER_RUN],
  );
  const stats: UserExecutionStats[] = statsResult.rows.map((row) => ({
    userId: row.user_id,
    executionsPastGates: Number(row.executions_past_gates),
    successful: Number(row.successful),
    reconciled: Number(row.reconciled),
  }));
  // Policies come from their streams (never stale): a pending proposal or a fresh rejection counts.
  const policies: UserPolicyState[] = [];
  for (const row of stats) policies.push(await deps.policy.read(row.userId));

  const candidates = findPromotionCandidates({
    stats,
    policies,
    lastInvariantViolationAtMs: lastViolationMs,
    firstInvariantCheckAtMs: firstCheckMs,
    nowMs,
  });
  const proposed: string[] = [];
  const refused: Record<string, string> = {};
  for (const candidate of candidates) {
    try {
      await deps.policy.execute(candidate.userId, [candidate.command]);
      proposed.push(candidate.userId);
      deps.notifier.informOps({
        title: `Promotion proposed: ${candidate.userId} ${candidate.fromLevel} → ${candidate.toLevel}`,
        text: `${candidate.command.reason}. Review it: GET /v1/ops/promotions, or \`ledger promotions list\`.`,
        fields: {
          successful: candidate.stats.successful,
          successRate: candidate.stats.successRate,
          recoveryRate: candidate.stats.recoveryRate,
        },
      });
    } catch (error) {
      // Another instance or an operator got there first (already pending, level changed): not an error.
      if (!(error instanceof UserPolicyError)) throw error;
      refused[candidate.userId] = error.code;
    }
  }
  const heldByInvariants =
    firstCheckMs === null
      ? 'no invariant check recorded yet'
      : lastViolationMs === null
        ? null
        : new Date(lastViolationMs).toISOString();
  return {
    detail: {
      usersConsidered: stats.length,
      proposed,
      refused,
      candidates: candidates.length,
      lastInvariantViolation: heldByInvariants,
    },
  };
}

export function promotionsJob(deps: PromotionsJobDeps, schedule = { cron: '30 * * * *' }): JobDefinition {
  return {
    name: PROMOTIONS_JOB_NAME,
    schedule,
    run: (context) => proposePromotions(deps, context.nowMs),
  };
}
