import { describe, expect, it } from 'vitest';
import {
  computePromotionStats,
  decideUserPolicy,
  initialUserPolicyState,
  UserPolicyError,
} from '../../../src/domain/policy';
import {
  EARLIER,
  foldEvents,
  NOW,
  policyEvents as ev,
  promotedTo,
  USER,
  userPolicySpec,
} from './userPolicyFixtures';

const by = { actor: 'ops-alice' };
const audit = { schemaVersion: 1, userId: USER, actor: 'ops-alice', at: NOW } as const;
const eligibleForValidated = { executionsPastGates: 100, successful: 100, reconciled: 0 };

describe('decideUserPolicy: trading enabled/disabled', () => {
  it('a new user starts TRAINING, disabled, at €25, and can be enabled', () => {
    const state = initialUserPolicyState(USER);
    expect(state).toMatchObject({
      tradingEnabled: false,
      confidenceLevel: 'TRAINING',
      effectiveLimitEur: '25.00',
      orderLimitOverrideEur: null,
      pendingPromotion: null,
      revision: -1,
    });
    const after = userPolicySpec
      .given([])
      .when({ type: 'EnableTrading', ...by, reason: 'onboarded' })
      .then([{ type: 'TradingEnabled', data: { ...audit, reason: 'onboarded' } }]);
    expect(after).toMatchObject({ tradingEnabled: true, revision: 0, updatedAt: NOW });
  });

  it('the caller can start a known user (the demo user) enabled', () => {
    expect(initialUserPolicyState('demo', { tradingEnabled: true }).tradingEnabled).toBe(true);
  });

  it('disables an enabled user', () => {
    userPolicySpec
      .given([ev.tradingEnabled()])
      .when({ type: 'DisableTrading', ...by, reason: 'incident 42' })
      .then([{ type: 'TradingDisabled', data: { ...audit, reason: 'incident 42' } }]);
  });

  it('is idempotent: enabling an enabled user or disabling a disabled one writes nothing', () => {
    userPolicySpec
      .given([ev.tradingEnabled()])
      .when({ type: 'EnableTrading', ...by, reason: 'x' })
      .thenNothing();
    userPolicySpec
      .given([])
      .when({ type: 'DisableTrading', ...by, reason: 'x' })
      .thenNothing();
  });

  it.each([
    ['', 'reason', 'ACTOR_REQUIRED'],
    ['   ', 'reason', 'ACTOR_REQUIRED'],
    ['x'.repeat(101), 'reason', 'ACTOR_REQUIRED'],
    ['ops-alice', '', 'REASON_REQUIRED'],
    ['ops-alice', '  \n ', 'REASON_REQUIRED'],
    ['ops-alice', 'y'.repeat(1001), 'REASON_REQUIRED'],
  ] as const)('refuses actor %j / reason %j with %s', (actor, reason, code) => {
    userPolicySpec.given([]).when({ type: 'EnableTrading', actor, reason }).thenError(code);
  });

  it('refuses a time that is not UTC ISO-8601, and an invalid user id', () => {
    expect(
      decideUserPolicy({ type: 'EnableTrading', ...by, reason: 'r' }, initialUserPolicyState(USER), 'now'),
    ).toMatchObject({ ok: false, error: { code: 'INVALID_TIMESTAMP' } });
    expect(
      decideUserPolicy({ type: 'EnableTrading', ...by, reason: 'r' }, initialUserPolicyState('bad id/'), NOW),
    ).toMatchObject({ ok: false, error: { code: 'INVALID_USER_ID', httpStatus: 400 } });
  });
});

describe('decideUserPolicy: order limit override', () => {
  it('lowers the TRAINING limit to €10 and normalizes to cents', () => {
    const after = userPolicySpec
      .given([])
      .when({ type: 'SetOrderLimitOverride', limitEur: '10', ...by, reason: 're-enable after incident' })
      .then([
        {
          type: 'OrderLimitOverrideSet',
          data: { ...audit, reason: 're-enable after incident', limitEur: '10.00' },
        },
      ]);
    expect(after).toMatchObject({ orderLimitOverrideEur: '10.00', effectiveLimitEur: '10.00' });
  });

  it('accepts an override equal to the level limit (€25.00 at TRAINING)', () => {
    userPolicySpec
      .given([])
      .when({ type: 'SetOrderLimitOverride', limitEur: '25.00', ...by, reason: 'r' })
      .then([{ type: 'OrderLimitOverrideSet', data: { ...audit, reason: 'r', limitEur: '25.00' } }]);
  });

  it.each([
    ['TRAINING', '25.01'],
    ['VALIDATED', '100.01'],
    ['PRODUCTION', '500.01'],
    ['PRODUCTION', '1000000'],
  ] as const)('refuses an override above the %s limit (%s): it never raises', (level, limitEur) => {
    userPolicySpec
      .given(promotedTo(level))
      .when({ type: 'SetOrderLimitOverride', limitEur, ...by, reason: 'r' })
      .thenError('LIMIT_OVERRIDE_ABOVE_LEVEL');
  });

  it('MATURE accepts any override (it has no fixed limit to exceed)', () => {
    const after = userPolicySpec
      .given(promotedTo('MATURE'))
      .when({ type: 'SetOrderLimitOverride', limitEur: '250000.50', ...by, reason: 'desk cap' })
      .then([
        { type: 'OrderLimitOverrideSet', data: { ...audit, reason: 'desk cap', limitEur: '250000.50' } },
      ]);
    expect(after.effectiveLimitEur).toBe('250000.50');
  });

  it.each(['0', '0.00', '-5', '10.001', '1e3', 'ten', '', ' 10'])(
    'refuses the limit %j with INVALID_LIMIT',
    (limitEur) => {
      userPolicySpec
        .given([])
        .when({ type: 'SetOrderLimitOverride', limitEur, ...by, reason: 'r' })
        .thenError('INVALID_LIMIT');
    },
  );

  it('setting the same override again (10 vs 10.00) writes nothing', () => {
    userPolicySpec
      .given([ev.overrideSet('10.00')])
      .when({ type: 'SetOrderLimitOverride', limitEur: '10', ...by, reason: 'r' })
      .thenNothing();
  });

  it('clears an override back to the level limit; clearing none writes nothing', () => {
    const after = userPolicySpec
      .given([ev.overrideSet('10.00')])
      .when({ type: 'ClearOrderLimitOverride', ...by, reason: 'all clear' })
      .then([{ type: 'OrderLimitOverrideCleared', data: { ...audit, reason: 'all clear' } }]);
    expect(after).toMatchObject({ orderLimitOverrideEur: null, effectiveLimitEur: '25.00' });
    userPolicySpec
      .given([])
      .when({ type: 'ClearOrderLimitOverride', ...by, reason: 'r' })
      .thenNothing();
  });

  it('an override survives a promotion and keeps lowering the new level', () => {
    const state = foldEvents([ev.overrideSet('10.00'), ...promotedTo('VALIDATED')]);
    expect(state).toMatchObject({ confidenceLevel: 'VALIDATED', effectiveLimitEur: '10.00' });
  });
});

describe('decideUserPolicy: promotion proposals', () => {
  const propose = (
    toLevel: 'VALIDATED' | 'PRODUCTION' | 'MATURE' | 'TRAINING',
    stats = eligibleForValidated,
  ) => ({ type: 'ProposePromotion', toLevel, stats, actor: 'promotions-job', reason: 'eligible' }) as const;

  it('proposes TRAINING → VALIDATED with a stats snapshot and derived rates', () => {
    const stats = { executionsPastGates: 102, successful: 100, reconciled: 5 };
    const after = userPolicySpec
      .given([])
      .when(propose('VALIDATED', stats))
      .then([
        {
          type: 'PromotionProposed',
          data: {
            ...audit,
            actor: 'promotions-job',
            reason: 'eligible',
            fromLevel: 'TRAINING',
            toLevel: 'VALIDATED',
            stats: { ...stats, successRate: '0.980392', recoveryRate: '0.049019' },
            proposedAt: NOW,
          },
        },
      ]);
    expect(after.pendingPromotion).toMatchObject({ toLevel: 'VALIDATED', proposedBy: 'promotions-job' });
    expect(after.confidenceLevel).toBe('TRAINING');
  });

  it('never proposes while a proposal is pending (same level or any other)', () => {
    userPolicySpec
      .given([ev.proposed('TRAINING', 'VALIDATED')])
      .when(propose('VALIDATED'))
      .thenError('PROMOTION_ALREADY_PENDING');
    userPolicySpec
      .given([ev.proposed('TRAINING', 'VALIDATED')])
      .when(propose('PRODUCTION'))
      .thenError('PROMOTION_ALREADY_PENDING');
  });

  it('never proposes a level at or below the current one, nor above MATURE', () => {
    userPolicySpec.given([]).when(propose('TRAINING')).thenError('PROMOTION_LEVEL_NOT_HIGHER');
    userPolicySpec
      .given(promotedTo('PRODUCTION'))
      .when(propose('VALIDATED'))
      .thenError('PROMOTION_LEVEL_NOT_HIGHER');
    userPolicySpec
      .given(promotedTo('MATURE'))
      .when(propose('MATURE'))
      .thenError('PROMOTION_LEVEL_NOT_HIGHER');
  });

  it('never skips a level', () => {
    const stats = { executionsPastGates: 5000, successful: 5000, reconciled: 0 };
    userPolicySpec.given([]).when(propose('PRODUCTION', stats)).thenError('PROMOTION_SKIPS_LEVEL');
  });

  it.each([
    [{ executionsPastGates: 99, successful: 99, reconciled: 0 }],
    [{ executionsPastGates: 103, successful: 100, reconciled: 0 }],
    [{ executionsPastGates: 100, successful: 100, reconciled: 5 }],
  ])('refuses a proposal whose stats miss the thresholds: %j', (stats) => {
    userPolicySpec.given([]).when(propose('VALIDATED', stats)).thenError('PROMOTION_THRESHOLDS_NOT_MET');
  });

  it.each([
    [{ executionsPastGates: 100, successful: 101, reconciled: 0 }],
    [{ executionsPastGates: 100, successful: 100, reconciled: 101 }],
    [{ executionsPastGates: 100.5, successful: 100, reconciled: 0 }],
    [{ executionsPastGates: -1, successful: 100, reconciled: 0 }],
  ])('refuses inconsistent stats with INVALID_PROMOTION_STATS: %j', (stats) => {
    userPolicySpec.given([]).when(propose('VALIDATED', stats)).thenError('INVALID_PROMOTION_STATS');
  });

  it('a level can be proposed again after a rejection', () => {
    userPolicySpec
      .given([ev.proposed('TRAINING', 'VALIDATED'), ev.rejected('TRAINING', 'VALIDATED')])
      .when(propose('VALIDATED'))
      .then([
        {
          type: 'PromotionProposed',
          data: {
            ...audit,
            actor: 'promotions-job',
            reason: 'eligible',
            fromLevel: 'TRAINING',
            toLevel: 'VALIDATED',
            stats: computePromotionStats(eligibleForValidated),
            proposedAt: NOW,
          },
        },
      ]);
  });
});

describe('decideUserPolicy: approving and rejecting', () => {
  const pending = [ev.proposed('TRAINING', 'VALIDATED')];

  it('approval emits PromotionApproved and ConfidenceLevelChanged, raising the limit to €100', () => {
    const after = userPolicySpec
      .given(pending)
      .when({ type: 'ApprovePromotion', actor: 'ops-bob', note: 'reviewed the fills', toLevel: 'VALIDATED' })
      .then([
        {
          type: 'PromotionApproved',
          data: {
            ...audit,
            actor: 'ops-bob',
            note: 'reviewed the fills',
            fromLevel: 'TRAINING',
            toLevel: 'VALIDATED',
          },
        },
        {
          type: 'ConfidenceLevelChanged',
          data: {
            ...audit,
            actor: 'ops-bob',
            reason: 'reviewed the fills',
            from: 'TRAINING',
            to: 'VALIDATED',
          },
        },
      ]);
    expect(after).toMatchObject({
      confidenceLevel: 'VALIDATED',
      effectiveLimitEur: '100.00',
      pendingPromotion: null,
    });
    expect(after.promotionHistory).toEqual([
      expect.objectContaining({
        decision: 'approved',
        toLevel: 'VALIDATED',
        decidedBy: 'ops-bob',
        decidedAt: NOW,
      }),
    ]);
  });

  it('rejection keeps the level and records the decision', () => {
    const after = userPolicySpec
      .given(pending)
      .when({ type: 'RejectPromotion', actor: 'ops-bob', note: 'too many reconciles last week' })
      .then([
        {
          type: 'PromotionRejected',
          data: {
            ...audit,
            actor: 'ops-bob',
            note: 'too many reconciles last week',
            fromLevel: 'TRAINING',
            toLevel: 'VALIDATED',
          },
        },
      ]);
    expect(after).toMatchObject({ confidenceLevel: 'TRAINING', pendingPromotion: null });
    expect(after.promotionHistory[0]).toMatchObject({
      decision: 'rejected',
      note: 'too many reconciles last week',
    });
  });

  it('a note is required for both decisions', () => {
    userPolicySpec
      .given(pending)
      .when({ type: 'ApprovePromotion', actor: 'ops-bob', note: '' })
      .thenError('NOTE_REQUIRED');
    userPolicySpec
      .given(pending)
      .when({ type: 'RejectPromotion', actor: 'ops-bob', note: '  ' })
      .thenError('NOTE_REQUIRED');
  });

  it('nothing to decide without a pending proposal (also after it was decided)', () => {
    userPolicySpec
      .given([])
      .when({ type: 'ApprovePromotion', actor: 'ops-bob', note: 'ok' })
      .thenError('PROMOTION_NOT_PENDING');
    userPolicySpec
      .given(promotedTo('VALIDATED'))
      .when({ type: 'RejectPromotion', actor: 'ops-bob', note: 'no' })
      .thenError('PROMOTION_NOT_PENDING');
  });

  it('refuses a decision about another level than the pending one (a stale screen)', () => {
    userPolicySpec
      .given(pending)
      .when({ type: 'ApprovePromotion', actor: 'ops-bob', note: 'ok', toLevel: 'PRODUCTION' })
      .thenError('PROMOTION_LEVEL_MISMATCH');
  });

  it("neither 'system' nor the proposer can approve; either can reject", () => {
    userPolicySpec
      .given(pending)
      .when({ type: 'ApprovePromotion', actor: 'system', note: 'ok' })
      .thenError('APPROVER_NOT_ALLOWED');
    userPolicySpec
      .given(pending)
      .when({ type: 'ApprovePromotion', actor: 'promotions-job', note: 'ok' })
      .thenError('APPROVER_NOT_ALLOWED');
    userPolicySpec
      .given(pending)
      .when({ type: 'RejectPromotion', actor: 'promotions-job', note: 'stats stale' })
      .then([
        {
          type: 'PromotionRejected',
          data: {
            ...audit,
            actor: 'promotions-job',
            note: 'stats stale',
            fromLevel: 'TRAINING',
            toLevel: 'VALIDATED',
          },
        },
      ]);
  });

  it('walks TRAINING → MATURE one approved level at a time; MATURE has no fixed limit', () => {
    const state = foldEvents(promotedTo('MATURE'));
    expect(state).toMatchObject({
      confidenceLevel: 'MATURE',
      effectiveLimitEur: null,
      revision: 8,
      updatedAt: EARLIER,
    });
    expect(state.promotionHistory.map((d) => d.toLevel)).toEqual(['VALIDATED', 'PRODUCTION', 'MATURE']);
  });

  it('refusals are returned, not thrown, and carry their HTTP status', () => {
    const result = decideUserPolicy(
      { type: 'ApprovePromotion', actor: 'ops-bob', note: 'ok' },
      initialUserPolicyState(USER),
      NOW,
    );
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error).toBeInstanceOf(UserPolicyError);
      expect(result.error).toMatchObject({ code: 'PROMOTION_NOT_PENDING', httpStatus: 409 });
    }
  });
});
