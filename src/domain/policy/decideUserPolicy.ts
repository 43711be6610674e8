import { Decimal } from 'decimal.js';
import { isValidActor, isValidIsoTimestamp, isValidReason, SYSTEM_ACTOR } from './auditFields';
import { compareLevels, levelOrderLimitEur, nextLevel, type ConfidenceLevel } from './confidenceLevels';
import { isPositiveEurAmount } from './decimalString';
import { checkPromotionThreshold, computePromotionStats, executionCountsSchema } from './promotionStats';
import type {
  ApprovePromotion,
  ProposePromotion,
  RejectPromotion,
  UserPolicyCommand,
} from './userPolicyCommands';
import { UserPolicyError } from './userPolicyErrors';
import { parseUserPolicyEvent, userIdSchema, type UserPolicyEvent } from './userPolicyEvents';
import type { UserPolicyState } from './userPolicyState';

export type UserPolicyDecision =
  | { readonly ok: true; readonly events: UserPolicyEvent[] }
  | { readonly ok: false; readonly error: UserPolicyError };

/**
 * Decides what a command means for a user's policy: the events to append (validated against their
 * schemas), or a UserPolicyError with a stable code. Never throws for a refused command.
 *
 * Idempotence: a command whose outcome already holds (enable an enabled user, set the override it
 * already has, clear an absent override) returns no events, so a retried request changes nothing.
 * Promotion commands are not idempotent in that way: a second proposal while one is pending, or a
 * decision without a pending proposal, is refused with a code (the operator must see it).
 */
export function decideUserPolicy(
  command: UserPolicyCommand,
  state: UserPolicyState,
  nowIso: string,
): UserPolicyDecision {
  try {
    return { ok: true, events: decideOrThrow(command, state, nowIso) };
  } catch (error) {
    if (error instanceof UserPolicyError) return { ok: false, error };
    throw error;
  }
}

function decideOrThrow(
  command: UserPolicyCommand,
  state: UserPolicyState,
  nowIso: string,
): UserPolicyEvent[] {
  if (!isValidIsoTimestamp(nowIso)) {
    throw new UserPolicyError('INVALID_TIMESTAMP', `not a UTC ISO-8601 time: ${nowIso}`);
  }
  if (!userIdSchema.safeParse(state.userId).success) {
    throw new UserPolicyError('INVALID_USER_ID', 'user id must be 1–100 letters, digits or _ . : @ -');
  }
  if (!isValidActor(command.actor)) {
    throw new UserPolicyError('ACTOR_REQUIRED', 'actor is required (1–100 characters)');
  }
  const audit = { schemaVersion: 1 as const, userId: state.userId, actor: command.actor, at: nowIso };

  const raw = ((): { type: string; data: Record<string, unknown> }[] => {
    switch (command.type) {
      case 'EnableTrading':
      case 'DisableTrading': {
        const reason = requireReason(command.reason);
        const enable = command.type === 'EnableTrading';
        if (state.tradingEnabled === enable) return [];
        return [{ type: enable ? 'TradingEnabled' : 'TradingDisabled', data: { ...audit, reason } }];
      }
      case 'SetOrderLimitOverride': {
        const reason = requireReason(command.reason);
        const limitEur = normalizeLimit(command.limitEur, state.confidenceLevel);
        if (state.orderLimitOverrideEur !== null && new Decimal(state.orderLimitOverrideEur).eq(limitEur))
          return [];
        return [{ type: 'OrderLimitOverrideSet', data: { ...audit, reason, limitEur } }];
      }
      case 'ClearOrderLimitOverride': {
        const reason = requireReason(command.reason);
        if (state.orderLimitOverrideEur === null) return [];
        return [{ type: 'OrderLimitOverrideCleared', data: { ...audit, reason } }];
      }
      case 'ProposePromotion':
        return [{ type: 'PromotionProposed', data: { ...audit, ...decideProposal(command, state, nowIso) } }];
      case 'ApprovePromotion': {
        const { note, pending } = requirePendingDecision(command, state);
        if (command.actor === SYSTEM_ACTOR || command.actor === pending.proposedBy) {
          throw new UserPolicyError(
            'APPROVER_NOT_ALLOWED',
            `a promotion must be approved by an operator other than its proposer (${pending.proposedBy})`,
          );
        }
        const levels = { fromLevel: pending.fromLevel, toLevel: pending.toLevel };
        return [
          { type: 'PromotionApproved', data: { ...audit, ...levels, note } },
          {
            type: 'ConfidenceLevelChanged',
            data: { ...audit, from: pending.fromLevel, to: pending.toLevel, reason: note },
          },
        ];
      }
      case 'RejectPromotion': {
        const { note, pending } = requirePendingDecision(command, state);
        return [
          {
            type: 'PromotionRejected',
            data: { ...audit, fromLevel: pending.fromLevel, toLevel: pending.toLevel, note },
          },
        ];
      }
    }
  })();
  // Validated on write as well as on read: a decider bug must not reach the store.
  return raw.map((event) => parseUserPolicyEvent(event));
}

function requireReason(reason: string): string {
  if (!isValidReason(reason))
    throw new UserPolicyError('REASON_REQUIRED', 'a reason is required (1–1000 characters)');
  return reason;
}

function normalizeLimit(limitEur: string, level: ConfidenceLevel): string {
  if (!isPositiveEurAmount(limitEur)) {
    throw new UserPolicyError(
      'INVALID_LIMIT',
      `limitEur must be a positive amount in EUR with at most 2 decimals`,
    );
  }
  const limit = new Decimal(limitEur);
  const levelLimit = levelOrderLimitEur(level);
  if (levelLimit !== null && limit.gt(levelLimit)) {
    throw new UserPolicyError(
      'LIMIT_OVERRIDE_ABOVE_LEVEL',
      `an override only lowers the limit: €${limit.toFixed(2)} is above the ${level} limit of €${levelLimit.toFixed(2)}`,
    );
  }
  return limit.toFixed(2);
}

function decideProposal(command: ProposePromotion, state: UserPolicyState, nowIso: string) {
  const reason = requireReason(command.reason);
  const current = state.confidenceLevel;
  const pending = state.pendingPromotion;
  if (pending !== null) {
    throw new UserPolicyError(
      'PROMOTION_ALREADY_PENDING',
      `a promotion to ${pending.toLevel} is already pending since ${pending.proposedAt}`,
    );
  }
  if (compareLevels(command.toLevel, current) <= 0) {
    throw new UserPolicyError(
      'PROMOTION_LEVEL_NOT_HIGHER',
      `${command.toLevel} is not above the current level ${current}`,
    );
  }
  const next = nextLevel(current);
  if (next === null || command.toLevel !== next) {
    throw new UserPolicyError(
      'PROMOTION_SKIPS_LEVEL',
      `from ${current} the only promotion is to ${String(next)}`,
    );
  }
  const { executionsPastGates, successful, reconciled } = command.stats;
  const counts = executionCountsSchema.safeParse({ executionsPastGates, successful, reconciled });
  if (!counts.success) {
    throw new UserPolicyError(
      'INVALID_PROMOTION_STATS',
      'stats need whole, non-negative counts with successful and reconciled ≤ executionsPastGates',
    );
  }
  const check = checkPromotionThreshold(next, counts.data);
  if (!check.met) {
    throw new UserPolicyError(
      'PROMOTION_THRESHOLDS_NOT_MET',
      `not eligible for ${next}: ${check.unmet.join('; ')}`,
    );
  }
  return {
    reason,
    fromLevel: current,
    toLevel: next,
    stats: computePromotionStats(counts.data),
    proposedAt: nowIso,
  };
}

function requirePendingDecision(command: ApprovePromotion | RejectPromotion, state: UserPolicyState) {
  if (!isValidReason(command.note)) {
    throw new UserPolicyError(
      'NOTE_REQUIRED',
      'a note is required to approve or reject a promotion (1–1000 characters)',
    );
  }
  const pending = state.pendingPromotion;
  if (pending === null)
    throw new UserPolicyError('PROMOTION_NOT_PENDING', `no promotion is pending for ${state.userId}`);
  if (command.toLevel !== undefined && command.toLevel !== pending.toLevel) {
    throw new UserPolicyError(
      'PROMOTION_LEVEL_MISMATCH',
      `the pending promotion is to ${pending.toLevel}, not ${command.toLevel}`,
    );
  }
  if (pending.fromLevel !== state.confidenceLevel) {
    throw new UserPolicyError(
      'PROMOTION_LEVEL_MISMATCH',
      `the pending promotion starts from ${pending.fromLevel} but the level is now ${state.confidenceLevel}`,
    );
  }
  return { note: command.note, pending };
}
