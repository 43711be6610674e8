import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decideUserPolicy,
  initialUserPolicyState,
  type ConfidenceLevel,
  type UserPolicyEvent,
  type UserPolicyState,
} from '../../../src/domain/policy';
import {
  findPromotionCandidates,
  PROMOTION_QUIET_PERIOD_MS,
  type FindPromotionCandidatesInput,
  type UserExecutionStats,
} from '../../../src/domain/promotion';
import { foldEvents, policyEvents as ev, promotedTo, USER } from '../policy/userPolicyFixtures';

const NOW_MS = Date.parse('2025-03-10T10:30:00.000Z');
const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

const enabledAt = (level: ConfidenceLevel, extra: readonly UserPolicyEvent[] = []): UserPolicyState =>
  foldEvents([ev.tradingEnabled(), ...promotedTo(level), ...extra]);

const stats = (executionsPastGates: number, successful: number, reconciled = 0): UserExecutionStats => ({
  userId: USER,
  executionsPastGates,
  successful,
  reconciled,
});

function find(overrides: Partial<FindPromotionCandidatesInput> = {}) {
  return findPromotionCandidates({
    stats: [stats(100, 100)],
    policies: [enabledAt('TRAINING')],
    lastInvariantViolationAtMs: null,
    nowMs: NOW_MS,
    ...overrides,
  });
}

describe('findPromotionCandidates', () => {
  it('proposes an eligible TRAINING user for VALIDATED, with a command the decider accepts', () => {
    const [candidate, ...rest] = find();
    expect(rest).toEqual([]);
    expect(candidate).toMatchObject({
      userId: USER,
      fromLevel: 'TRAINING',
      toLevel: 'VALIDATED',
      stats: {
        executionsPastGates: 100,
        successful: 100,
        reconciled: 0,
        successRate: '1.000000',
        recoveryRate: '0.000000',
      },
      command: { type: 'ProposePromotion', toLevel: 'VALIDATED', actor: 'promotions-job' },
    });
    if (candidate === undefined) throw new Error('no candidate');
    const events = decideUserPolicy(candidate.command, enabledAt('TRAINING'), '2025-03-10T10:30:00.000Z');
    expect(events).toMatchObject({
      ok: true,
      events: [{ type: 'PromotionProposed', data: { toLevel: 'VALIDATED', stats: candidate.stats } }],
    });
  });

  it.each([
    ['VALIDATED', stats(505, 500, 14), 'PRODUCTION'],
    ['PRODUCTION', stats(1010, 1000, 20), 'MATURE'],
  ] as const)('proposes a %s user for the next level', (level, userStats, toLevel) => {
    expect(find({ stats: [userStats], policies: [enabledAt(level)] })).toMatchObject([
      { fromLevel: level, toLevel },
    ]);
  });

  it('proposes nobody within 48 h of an invariant violation, and resumes right after', () => {
    expect(find({ lastInvariantViolationAtMs: NOW_MS - PROMOTION_QUIET_PERIOD_MS + 1 })).toEqual([]);
    expect(find({ lastInvariantViolationAtMs: NOW_MS - HOUR_MS })).toEqual([]);
    expect(find({ lastInvariantViolationAtMs: NOW_MS - PROMOTION_QUIET_PERIOD_MS })).toHaveLength(1);
  });

  it('needs 48 h of invariant checks when told when they started', () => {
    expect(find({ firstInvariantCheckAtMs: NOW_MS - 47 * HOUR_MS })).toEqual([]);
    expect(find({ firstInvariantCheckAtMs: null })).toEqual([]);
    expect(find({ firstInvariantCheckAtMs: NOW_MS - 48 * HOUR_MS })).toHaveLength(1);
  });

  it.each([
    ['below the thresholds', { stats: [stats(103, 100)] }],
    ['too many reconciliations', { stats: [stats(100, 100, 5)] }],
    ['inconsistent stats', { stats: [stats(100, 120)] }],
    ['no policy given', { policies: [] }],
    ['trading disabled', { policies: [foldEvents([])] }],
    ['a proposal pending', { policies: [enabledAt('TRAINING', [ev.proposed('TRAINING', 'VALIDATED')])] }],
    ['already MATURE', { stats: [stats(5000, 5000)], policies: [enabledAt('MATURE')] }],
    ['VALIDATED but short of PRODUCTION', { policies: [enabledAt('VALIDATED')] }],
  ])('skips a user with %s', (_name, overrides) => {
    expect(find(overrides)).toEqual([]);
  });

  it('waits out the cooldown after a rejection of the same level', () => {
    const rejectedAt = (msAgo: number) =>
      enabledAt('TRAINING', [
        ev.proposed('TRAINING', 'VALIDATED'),
        ev.rejected('TRAINING', 'VALIDATED', new Date(NOW_MS - msAgo).toISOString()),
      ]);
    expect(find({ policies: [rejectedAt(6 * DAY_MS)] })).toEqual([]);
    expect(find({ policies: [rejectedAt(7 * DAY_MS)] })).toHaveLength(1);
    expect(find({ policies: [rejectedAt(HOUR_MS)], rejectionCooldownMs: 0 })).toHaveLength(1);
    // A rejection of a lower level long ago does not hold back the next one.
    const approvedAfterRejection = enabledAt('TRAINING', [
      ev.proposed('TRAINING', 'VALIDATED'),
      ev.rejected('TRAINING', 'VALIDATED', new Date(NOW_MS - HOUR_MS).toISOString()),
      ...promotedTo('VALIDATED'),
    ]);
    expect(find({ stats: [stats(500, 500)], policies: [approvedAfterRejection] })).toHaveLength(1);
  });

  it('orders by user id, ignores duplicate stats rows and caps the batch', () => {
    const users = ['u-c', 'u-a', 'u-b'];
    const policies = users.map((userId) => ({ ...initialUserPolicyState(userId), tradingEnabled: true }));
    const rows = users.map((userId) => ({ ...stats(100, 100), userId }));
    const input = { stats: [...rows, { ...stats(1, 0), userId: 'u-a' }], policies };
    expect(find(input).map((c) => c.userId)).toEqual(['u-a', 'u-b', 'u-c']);
    expect(find({ ...input, maxCandidates: 2 }).map((c) => c.userId)).toEqual(['u-a', 'u-b']);
    expect(find({ ...input, actor: 'cron-7' }).every((c) => c.command.actor === 'cron-7')).toBe(true);
  });

  it('property: eligibility is monotone in the success count', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<ConfidenceLevel>('TRAINING', 'VALIDATED', 'PRODUCTION'),
        fc.integer({ min: 0, max: 2500 }),
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 1, max: 100 }),
        (level, pastGates, s, r, extra) => {
          const successful = s % (pastGates + 1);
          const reconciled = r % (pastGates + 1);
          const more = Math.min(pastGates, successful + extra);
          const policies = [enabledAt(level)];
          const before = find({ stats: [stats(pastGates, successful, reconciled)], policies }).length;
          const after = find({ stats: [stats(pastGates, more, reconciled)], policies }).length;
          expect(after).toBeGreaterThanOrEqual(before);
        },
      ),
    );
  });

  it('property: never proposes while pending, nor inside the quiet period', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: PROMOTION_QUIET_PERIOD_MS - 1 }),
        fc.integer({ min: 100, max: 5000 }),
        (ago, n) => {
          expect(find({ stats: [stats(n, n)], lastInvariantViolationAtMs: NOW_MS - ago })).toEqual([]);
          const pending = enabledAt('TRAINING', [ev.proposed('TRAINING', 'VALIDATED')]);
          expect(find({ stats: [stats(n, n)], policies: [pending] })).toEqual([]);
        },
      ),
    );
  });
});
