import {
  effectiveOrderLimitEur,
  INITIAL_CONFIDENCE_LEVEL,
  nextLevel,
  type ConfidenceLevel,
} from './confidenceLevels';
import type { PromotionStatsSnapshot } from './promotionStats';
import { IllegalUserPolicyHistory } from './userPolicyErrors';
import type { UserPolicyEvent } from './userPolicyEvents';

export interface PendingPromotion {
  readonly fromLevel: ConfidenceLevel;
  readonly toLevel: ConfidenceLevel;
  readonly stats: PromotionStatsSnapshot;
  readonly proposedAt: string;
  readonly proposedBy: string;
  readonly reason: string;
}

export interface PromotionDecision extends PendingPromotion {
  readonly decision: 'approved' | 'rejected';
  readonly decidedAt: string;
  readonly decidedBy: string;
  readonly note: string;
}

export interface UserPolicyState {
  readonly userId: string;
  readonly tradingEnabled: boolean;
  readonly confidenceLevel: ConfidenceLevel;
  /** The operator's override (only ever lowers the level's limit), or `null`. */
  readonly orderLimitOverrideEur: string | null;
  /** The per-order limit that applies now; `null` = MATURE without override (capped by balance). */
  readonly effectiveLimitEur: string | null;
  readonly pendingPromotion: PendingPromotion | null;
  /** Decided proposals, oldest first, the latest PROMOTION_HISTORY_MAX kept. */
  readonly promotionHistory: readonly PromotionDecision[];
  /** Revision of the last event applied (0 for the first); -1 when the stream has no events. */
  readonly revision: number;
  /** `at` of the last event applied, or `null`. */
  readonly updatedAt: string | null;
}

/** The state keeps a bounded tail of decisions; the full record stays in the stream. */
export const PROMOTION_HISTORY_MAX = 100;

export interface InitialUserPolicyOptions {
  /** New users start with trading disabled; a caller may start a known user (the demo user) enabled. */
  readonly tradingEnabled?: boolean;
}

/**
 * The state of a user whose stream has no events yet. The options must be the same every time a
 * given user's stream is folded; to make the starting point auditable, prefer appending a
 * `TradingEnabled` event (actor 'system') once over starting a user enabled.
 */
export function initialUserPolicyState(
  userId: string,
  options: InitialUserPolicyOptions = {},
): UserPolicyState {
  return {
    userId,
    tradingEnabled: options.tradingEnabled ?? false,
    confidenceLevel: INITIAL_CONFIDENCE_LEVEL,
    orderLimitOverrideEur: null,
    effectiveLimitEur: effectiveOrderLimitEur(INITIAL_CONFIDENCE_LEVEL, null),
    pendingPromotion: null,
    promotionHistory: [],
    revision: -1,
    updatedAt: null,
  };
}

/**
 * Applies one recorded event. Throws IllegalUserPolicyHistory for a history the decider could never
 * have written (replay fails loudly rather than guess).
 */
export function evolveUserPolicy(state: UserPolicyState, event: UserPolicyEvent): UserPolicyState {
  const revision = state.revision + 1;
  const illegal = (message: string) => new IllegalUserPolicyHistory(state.userId, revision, message);
  if (event.data.userId !== state.userId) throw illegal(`${event.type} belongs to user ${event.data.userId}`);
  const base = { ...state, revision, updatedAt: event.data.at };

  switch (event.type) {
    case 'TradingEnabled':
      return { ...base, tradingEnabled: true };
    case 'TradingDisabled':
      return { ...base, tradingEnabled: false };
    case 'OrderLimitOverrideSet':
      return withLimits(base, state.confidenceLevel, event.data.limitEur);
    case 'OrderLimitOverrideCleared':
      return withLimits(base, state.confidenceLevel, null);
    case 'ConfidenceLevelChanged':
      if (event.data.from !== state.confidenceLevel) {
        throw illegal(`level change from ${event.data.from} but the level is ${state.confidenceLevel}`);
      }
      return withLimits(base, event.data.to, state.orderLimitOverrideEur);
    case 'PromotionProposed': {
      const data = event.data;
      if (state.pendingPromotion !== null) throw illegal('a promotion was proposed while another is pending');
      if (data.fromLevel !== state.confidenceLevel || data.toLevel !== nextLevel(state.confidenceLevel)) {
        throw illegal(`proposal ${data.fromLevel}→${data.toLevel} at level ${state.confidenceLevel}`);
      }
      return {
        ...base,
        pendingPromotion: {
          fromLevel: data.fromLevel,
          toLevel: data.toLevel,
          stats: data.stats,
          proposedAt: data.proposedAt,
          proposedBy: data.actor,
          reason: data.reason,
        },
      };
    }
    case 'PromotionApproved':
    case 'PromotionRejected': {
      const pending = state.pendingPromotion;
      if (pending === null || pending.toLevel !== event.data.toLevel) {
        throw illegal(`${event.type} for ${event.data.toLevel} without a matching pending proposal`);
      }
      const decision: PromotionDecision = {
        ...pending,
        decision: event.type === 'PromotionApproved' ? 'approved' : 'rejected',
        decidedAt: event.data.at,
        decidedBy: event.data.actor,
        note: event.data.note,
      };
      return {
        ...base,
        pendingPromotion: null,
        promotionHistory: [...state.promotionHistory, decision].slice(-PROMOTION_HISTORY_MAX),
      };
    }
  }
}

function withLimits(
  state: UserPolicyState,
  level: ConfidenceLevel,
  overrideEur: string | null,
): UserPolicyState {
  return {
    ...state,
    confidenceLevel: level,
    orderLimitOverrideEur: overrideEur,
    effectiveLimitEur: effectiveOrderLimitEur(level, overrideEur),
  };
}

/** Folds a whole stream (oldest first) from the initial state. */
export function foldUserPolicy(
  userId: string,
  events: readonly UserPolicyEvent[],
  options: InitialUserPolicyOptions = {},
): UserPolicyState {
  let state = initialUserPolicyState(userId, options);
  for (const event of events) state = evolveUserPolicy(state, event);
  return state;
}
