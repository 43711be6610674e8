import { nextLevel, type ConfidenceLevel, type PromotableLevel } from '../policy/confidenceLevels';
import {
  checkPromotionThreshold,
  computePromotionStats,
  executionCountsSchema,
  type ExecutionCounts,
  type PromotionStatsSnapshot,
} from '../policy/promotionStats';
import type { ProposePromotion } from '../policy/userPolicyCommands';
import type { UserPolicyState } from '../policy/userPolicyState';

/** Proposals wait until no invariant has been violated for this long (DESIGN §4). */
export const PROMOTION_QUIET_PERIOD_MS = 48 * 60 * 60 * 1000;
/** After an operator rejects a level, the job waits this long before proposing it again. */
export const DEFAULT_REJECTION_COOLDOWN_MS = 7 * 24 * 60 * 60 * 1000;
export const DEFAULT_MAX_CANDIDATES = 1000;
export const PROMOTIONS_JOB_ACTOR = 'promotions-job';

export interface UserExecutionStats extends ExecutionCounts {
  readonly userId: string;
}

export interface FindPromotionCandidatesInput {
  readonly stats: readonly UserExecutionStats[];
  /** The policy of each user (the initial state for a user whose stream is empty); others are skipped. */
  readonly policies: readonly UserPolicyState[];
  readonly lastInvariantViolationAtMs: number | null;
  readonly nowMs: number;
  /**
   * When the invariant checks started recording (the first stored result). When given, "48 h without
   * a violation" also needs 48 h of checks: a fresh install with no violation yet proposes nobody.
   */
  readonly firstInvariantCheckAtMs?: number | null;
  /** Recorded as the proposer; defaults to PROMOTIONS_JOB_ACTOR. */
  readonly actor?: string;
  /** At most this many proposals per run (the rest come next run); defaults to DEFAULT_MAX_CANDIDATES. */
  readonly maxCandidates?: number;
  readonly rejectionCooldownMs?: number;
}

export interface PromotionCandidate {
  readonly userId: string;
  readonly fromLevel: ConfidenceLevel;
  readonly toLevel: PromotableLevel;
  readonly stats: PromotionStatsSnapshot;
  /** Ready for `decideUserPolicy` on the user's policy stream. */
  readonly command: ProposePromotion;
}

/**
 * Which users the hourly job should propose for promotion, sorted by user id. Nobody is proposed
 * within 48 h of an invariant violation. A user is skipped when trading is disabled (an operator is
 * handling them), a proposal is pending, they are at the top level, their stats are inconsistent, the
 * next level's thresholds are not met, or that level was rejected within the cooldown.
 */
export function findPromotionCandidates(input: FindPromotionCandidatesInput): PromotionCandidate[] {
  const { lastInvariantViolationAtMs, nowMs } = input;
  if (lastInvariantViolationAtMs !== null && nowMs - lastInvariantViolationAtMs < PROMOTION_QUIET_PERIOD_MS)
    return [];
  const firstCheckAtMs = input.firstInvariantCheckAtMs;
  if (
    firstCheckAtMs === null ||
    (firstCheckAtMs !== undefined && nowMs - firstCheckAtMs < PROMOTION_QUIET_PERIOD_MS)
  ) {
    return [];
  }
  const actor = input.actor ?? PROMOTIONS_JOB_ACTOR;
  const maxCandidates = input.maxCandidates ?? DEFAULT_MAX_CANDIDATES;
  const cooldownMs = input.rejectionCooldownMs ?? DEFAULT_REJECTION_COOLDOWN_MS;
  const policies = new Map(input.policies.map((policy) => [policy.userId, policy]));
  const seen = new Set<string>();
  const candidates: PromotionCandidate[] = [];

  for (const userStats of [...input.stats].sort((a, b) => compareIds(a.userId, b.userId))) {
    if (candidates.length >= maxCandidates) break;
    if (seen.has(userStats.userId)) continue;
    seen.add(userStats.userId);
    const policy = policies.get(userStats.userId);
    if (policy === undefined || !policy.tradingEnabled || policy.pendingPromotion !== null) continue;
    const toLevel = nextLevel(policy.confidenceLevel);
    if (toLevel === null) continue;
    const counts = executionCountsSchema.safeParse({
      executionsPastGates: userStats.executionsPastGates,
      successful: userStats.successful,
      reconciled: userStats.reconciled,
    });
    if (!counts.success || !checkPromotionThreshold(toLevel, counts.data).met) continue;
    if (rejectedRecently(policy, toLevel, nowMs, cooldownMs)) continue;

    const stats = computePromotionStats(counts.data);
    candidates.push({
      userId: policy.userId,
      fromLevel: policy.confidenceLevel,
      toLevel,
      stats,
      command: {
        type: 'ProposePromotion',
        toLevel,
        stats: counts.data,
        actor,
        reason:
          `eligible for ${toLevel}: ${stats.successful} successful of ${stats.executionsPastGates} past the gates ` +
          `(success rate ${stats.successRate}, recovery rate ${stats.recoveryRate}), ` +
          `no invariant violation in the last 48 h`,
      },
    });
  }
  return candidates;
}

function rejectedRecently(
  policy: UserPolicyState,
  toLevel: PromotableLevel,
  nowMs: number,
  cooldownMs: number,
): boolean {
  // Scan from the newest decision; only the latest decision about this level counts.
  for (let index = policy.promotionHistory.length - 1; index >= 0; index -= 1) {
    const decision = policy.promotionHistory[index];
    if (decision === undefined || decision.toLevel !== toLevel) continue;
    if (decision.decision !== 'rejected') return false;
    const decidedAtMs = Date.parse(decision.decidedAt);
    return Number.isNaN(decidedAtMs) || nowMs - decidedAtMs < cooldownMs;
  }
  return false;
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
