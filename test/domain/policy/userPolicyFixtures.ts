import {
  computePromotionStats,
  decideUserPolicy,
  evolveUserPolicy,
  initialUserPolicyState,
  type ConfidenceLevel,
  type ExecutionCounts,
  type UserPolicyCommand,
  type UserPolicyEvent,
  type UserPolicyEventOf,
  type UserPolicyState,
  type UserPolicyError,
} from '../../../src/domain/policy';
import { givenWhenThen } from '../../support/givenWhenThen';

export const USER = 'user-1';
export const NOW = '2025-03-01T10:00:00.000Z';
export const EARLIER = '2025-02-28T10:00:00.000Z';

const audit = (actor = 'ops-alice', at = EARLIER) => ({ schemaVersion: 1 as const, userId: USER, actor, at });

export const policyEvents = {
  tradingEnabled: (reason = 'onboarded'): UserPolicyEventOf<'TradingEnabled'> => ({
    type: 'TradingEnabled',
    data: { ...audit(), reason },
  }),
  tradingDisabled: (reason = 'incident'): UserPolicyEventOf<'TradingDisabled'> => ({
    type: 'TradingDisabled',
    data: { ...audit(), reason },
  }),
  overrideSet: (limitEur: string): UserPolicyEventOf<'OrderLimitOverrideSet'> => ({
    type: 'OrderLimitOverrideSet',
    data: { ...audit(), reason: 'after incident', limitEur },
  }),
  overrideCleared: (): UserPolicyEventOf<'OrderLimitOverrideCleared'> => ({
    type: 'OrderLimitOverrideCleared',
    data: { ...audit(), reason: 'all clear' },
  }),
  proposed: (
    fromLevel: ConfidenceLevel,
    toLevel: ConfidenceLevel,
    counts?: ExecutionCounts,
  ): UserPolicyEventOf<'PromotionProposed'> => ({
    type: 'PromotionProposed',
    data: {
      ...audit('promotions-job'),
      reason: 'eligible',
      fromLevel,
      toLevel,
      stats: computePromotionStats(counts ?? { executionsPastGates: 2000, successful: 2000, reconciled: 0 }),
      proposedAt: EARLIER,
    },
  }),
  approved: (
    fromLevel: ConfidenceLevel,
    toLevel: ConfidenceLevel,
  ): UserPolicyEventOf<'PromotionApproved'> => ({
    type: 'PromotionApproved',
    data: { ...audit(), note: 'looks good', fromLevel, toLevel },
  }),
  rejected: (
    fromLevel: ConfidenceLevel,
    toLevel: ConfidenceLevel,
    at = EARLIER,
  ): UserPolicyEventOf<'PromotionRejected'> => ({
    type: 'PromotionRejected',
    data: { ...audit('ops-alice', at), note: 'not yet', fromLevel, toLevel },
  }),
  levelChanged: (
    from: ConfidenceLevel,
    to: ConfidenceLevel,
  ): UserPolicyEventOf<'ConfidenceLevelChanged'> => ({
    type: 'ConfidenceLevelChanged',
    data: { ...audit(), reason: 'looks good', from, to },
  }),
};

/** The events that take a user from TRAINING up to `level` through approved promotions. */
export function promotedTo(level: ConfidenceLevel): UserPolicyEvent[] {
  const path: [ConfidenceLevel, ConfidenceLevel][] = [
    ['TRAINING', 'VALIDATED'],
    ['VALIDATED', 'PRODUCTION'],
    ['PRODUCTION', 'MATURE'],
  ];
  const events: UserPolicyEvent[] = [];
  for (const [from, to] of path) {
    if (from === level) break;
    events.push(
      policyEvents.proposed(from, to),
      policyEvents.approved(from, to),
      policyEvents.levelChanged(from, to),
    );
  }
  return events;
}

export function foldEvents(events: readonly UserPolicyEvent[]): UserPolicyState {
  return events.reduce(evolveUserPolicy, initialUserPolicyState(USER));
}

export const userPolicySpec = givenWhenThen<
  UserPolicyState,
  UserPolicyCommand,
  UserPolicyEvent,
  UserPolicyError
>({
  initialState: () => initialUserPolicyState(USER),
  evolve: evolveUserPolicy,
  decide: (command, state) => decideUserPolicy(command, state, NOW),
});
