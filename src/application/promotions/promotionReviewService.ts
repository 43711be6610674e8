import type pg from 'pg';
import type { Notifier } from '../../adapters/alerts/notifier';
import {
  CONFIDENCE_LEVELS,
  effectiveOrderLimitEur,
  type ConfidenceLevel,
  type PendingPromotion,
  type UserPolicyState,
} from '../../domain/policy';
import type { UserPolicyService } from '../policy/userPolicyService';

export interface PendingPromotionView {
  readonly userId: string;
  readonly fromLevel: ConfidenceLevel;
  readonly toLevel: ConfidenceLevel;
  readonly proposedAt: string;
  readonly proposedBy: string;
  readonly reason: string;
  readonly stats: PendingPromotion['stats'];
  readonly tradingEnabled: boolean;
  /** The per-order limit now, and after approval (the user's override, if any, still lowers it). */
  readonly currentLimitEur: string | null;
  readonly newLimitEur: string | null;
}

export interface PromotionDecisionInput {
  readonly note: string;
  /** Who decides (the ops key's actor); the proposer and 'system' may not approve. */
  readonly actor: string;
  /** The level the operator saw; a mismatch (stale screen) is refused. */
  readonly toLevel?: ConfidenceLevel;
}

export const MAX_PENDING_LISTED = 500;

function viewOf(state: UserPolicyState): PendingPromotionView | null {
  const pending = state.pendingPromotion;
  if (pending === null) return null;
  return {
    userId: state.userId,
    fromLevel: pending.fromLevel,
    toLevel: pending.toLevel,
    proposedAt: pending.proposedAt,
    proposedBy: pending.proposedBy,
    reason: pending.reason,
    stats: pending.stats,
    tradingEnabled: state.tradingEnabled,
    currentLimitEur: state.effectiveLimitEur,
    newLimitEur: effectiveOrderLimitEur(pending.toLevel, state.orderLimitOverrideEur),
  };
}

/**
 * The ops review of promotions (DESIGN §4: no user is promoted without review). The queue is read
 * from the `user_policies` read model and each entry re-checked against its stream; decisions go
 * through the user-policy decider, and the user hears about the outcome.
 */
export class PromotionReviewService {
  constructor(
    private readonly deps: {
      readonly pool: pg.Pool;
      readonly policy: UserPolicyService;
      readonly notifier: Notifier;
    },
  ) {}

  async listPending(limit = 100): Promise<PendingPromotionView[]> {
    const result = await this.deps.pool.query<{ user_id: string }>(
      `SELECT user_id FROM user_policies WHERE pending_promotion IS NOT NULL ORDER BY updated_at, user_id LIMIT $1`,
      [Math.min(Math.max(1, limit), MAX_PENDING_LISTED)],
    );
    const views: PendingPromotionView[] = [];
    for (const row of result.rows) {
      // The stream is the truth: a row the projection has not caught up on is re-checked here.
      const view = viewOf(await this.deps.policy.read(row.user_id));
      if (view !== null) views.push(view);
    }
    return views.sort((a, b) => (a.proposedAt < b.proposedAt ? -1 : a.proposedAt > b.proposedAt ? 1 : 0));
  }

  async pendingFor(userId: string): Promise<PendingPromotionView | null> {
    return viewOf(await this.deps.policy.read(userId));
  }

  /** Records PromotionApproved + ConfidenceLevelChanged; the new limit applies to the user's next order. */
  async approve(userId: string, input: PromotionDecisionInput): Promise<UserPolicyState> {
    const { state } = await this.deps.policy.execute(userId, [
      {
        type: 'ApprovePromotion',
        actor: input.actor,
        note: input.note,
        ...(input.toLevel === undefined ? {} : { toLevel: input.toLevel }),
      },
    ]);
    const limit =
      state.effectiveLimitEur === null
        ? 'no fixed limit (capped by your balance)'
        : `€${state.effectiveLimitEur}`;
    this.deps.notifier.notifyUser({
      userId,
      title: `Promoted to ${state.confidenceLevel}`,
      text: `Your confidence level is now ${state.confidenceLevel}; your per-order limit is ${limit}, from your next order on.`,
      fields: { level: state.confidenceLevel, limitEur: state.effectiveLimitEur, approvedBy: input.actor },
    });
    return state;
  }

  async reject(userId: string, input: PromotionDecisionInput): Promise<UserPolicyState> {
    const before = await this.deps.policy.read(userId);
    const { state } = await this.deps.policy.execute(userId, [
      {
        type: 'RejectPromotion',
        actor: input.actor,
        note: input.note,
        ...(input.toLevel === undefined ? {} : { toLevel: input.toLevel }),
      },
    ]);
    this.deps.notifier.notifyUser({
      userId,
      title: `Promotion to ${before.pendingPromotion?.toLevel ?? 'the next level'} not approved`,
      text: `You stay at ${state.confidenceLevel}. Note from the desk: ${input.note}`,
      fields: { level: state.confidenceLevel },
    });
    return state;
  }
}

export function isConfidenceLevel(value: string): value is ConfidenceLevel {
  return (CONFIDENCE_LEVELS as readonly string[]).includes(value);
}
