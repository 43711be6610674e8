import fc from 'fast-check';
import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import {
  CONFIDENCE_LEVELS,
  decideUserPolicy,
  evolveUserPolicy,
  foldUserPolicy,
  IllegalUserPolicyHistory,
  initialUserPolicyState,
  levelOrderLimitEur,
  nextLevel,
  parseUserPolicyEvent,
  PROMOTION_HISTORY_MAX,
  UserPolicyError,
  userIdFromPolicyStreamId,
  userPolicyStreamId,
  type ConfidenceLevel,
  type UserPolicyCommand,
  type UserPolicyEvent,
  type UserPolicyState,
} from '../../../src/domain/policy';
import { foldEvents, NOW, policyEvents as ev, promotedTo, USER } from './userPolicyFixtures';

describe('evolveUserPolicy: replay fails loudly on an illegal history', () => {
  it.each([
    ['an approval without a proposal', [ev.approved('TRAINING', 'VALIDATED')]],
    [
      'a rejection of another level than the pending one',
      [ev.proposed('TRAINING', 'VALIDATED'), ev.rejected('VALIDATED', 'PRODUCTION')],
    ],
    [
      'a second proposal while one is pending',
      [ev.proposed('TRAINING', 'VALIDATED'), ev.proposed('TRAINING', 'VALIDATED')],
    ],
    ['a proposal that skips a level', [ev.proposed('TRAINING', 'PRODUCTION')]],
    ['a proposal from a level the user is not at', [ev.proposed('VALIDATED', 'PRODUCTION')]],
    ['a level change that does not start at the current level', [ev.levelChanged('VALIDATED', 'PRODUCTION')]],
  ])('%s', (_name, history) => {
    expect(() => foldEvents(history)).toThrow(IllegalUserPolicyHistory);
  });

  it("refuses another user's event", () => {
    const other: UserPolicyEvent = {
      type: 'TradingEnabled',
      data: { ...ev.tradingEnabled().data, userId: 'user-2' },
    };
    expect(() => foldEvents([other])).toThrow(/belongs to user user-2/);
  });

  it('counts revisions from 0 and keeps the time of the last event', () => {
    const state = foldUserPolicy(USER, [ev.tradingEnabled(), ev.tradingDisabled()]);
    expect(state).toMatchObject({
      revision: 1,
      tradingEnabled: false,
      updatedAt: '2025-02-28T10:00:00.000Z',
    });
  });

  it(`keeps only the last ${PROMOTION_HISTORY_MAX} decisions in the state`, () => {
    const history: UserPolicyEvent[] = [];
    for (let i = 0; i < PROMOTION_HISTORY_MAX + 5; i += 1) {
      history.push(ev.proposed('TRAINING', 'VALIDATED'), ev.rejected('TRAINING', 'VALIDATED'));
    }
    const state = foldEvents(history);
    expect(state.promotionHistory).toHaveLength(PROMOTION_HISTORY_MAX);
    expect(state.revision).toBe(history.length - 1);
  });
});

describe('user policy events (schemas on read and write)', () => {
  it('round-trips every fixture event', () => {
    for (const event of [
      ev.tradingEnabled(),
      ev.tradingDisabled(),
      ev.overrideSet('10.00'),
      ev.overrideCleared(),
      ...promotedTo('MATURE'),
      ev.rejected('TRAINING', 'VALIDATED'),
    ]) {
      expect(parseUserPolicyEvent(JSON.parse(JSON.stringify(event)) as UserPolicyEvent)).toEqual(event);
    }
  });

  it.each([
    ['an unknown type', { type: 'TradingPaused', data: ev.tradingEnabled().data }],
    [
      'another schema version',
      { type: 'TradingEnabled', data: { ...ev.tradingEnabled().data, schemaVersion: 2 } },
    ],
    ['an extra field', { type: 'TradingEnabled', data: { ...ev.tradingEnabled().data, extra: 1 } }],
    [
      'a float limit',
      { type: 'OrderLimitOverrideSet', data: { ...ev.overrideSet('10').data, limitEur: 10 } },
    ],
    ['a missing actor', { type: 'TradingDisabled', data: { ...ev.tradingDisabled().data, actor: '' } }],
    [
      'a local time',
      { type: 'TradingDisabled', data: { ...ev.tradingDisabled().data, at: '2025-03-01 10:00' } },
    ],
  ])('rejects %s', (_name, raw) => {
    expect(() => parseUserPolicyEvent(raw)).toThrow(expect.objectContaining({ code: 'INVALID_EVENT_DATA' }));
  });

  it('names the stream user-policy-<userId> and reads the id back', () => {
    expect(userPolicyStreamId('u-42')).toBe('user-policy-u-42');
    expect(userIdFromPolicyStreamId('user-policy-u-42')).toBe('u-42');
    expect(userIdFromPolicyStreamId('execution-abc')).toBeNull();
    expect(userIdFromPolicyStreamId('user-policy-')).toBeNull();
  });
});

describe('property: any sequence of commands keeps the policy consistent', () => {
  const actorArb = fc.constantFrom('ops-alice', 'ops-bob', 'promotions-job', 'system');
  const levelArb = fc.constantFrom(...CONFIDENCE_LEVELS);
  const limitArb = fc.constantFrom(
    '1',
    '10',
    '10.50',
    '25',
    '25.01',
    '99.99',
    '100',
    '500',
    '501',
    '0',
    '7.123',
    '100000',
  );
  // Half of the proposals qualify for any level, so that promotions really happen in the runs.
  const statsArb = fc.oneof(
    fc.constant({ executionsPastGates: 2000, successful: 2000, reconciled: 0 }),
    fc.record({
      executionsPastGates: fc.integer({ min: 0, max: 3000 }),
      successful: fc.integer({ min: 0, max: 3000 }),
      reconciled: fc.integer({ min: 0, max: 200 }),
    }),
  );
  const NEXT_LEVEL = 'NEXT' as const;
  type GeneratedCommand =
    | Exclude<UserPolicyCommand, { type: 'ProposePromotion' }>
    | (Omit<Extract<UserPolicyCommand, { type: 'ProposePromotion' }>, 'toLevel'> & {
        toLevel: ConfidenceLevel | typeof NEXT_LEVEL;
      });
  const resolve = (command: GeneratedCommand, state: UserPolicyState): UserPolicyCommand =>
    command.type === 'ProposePromotion' && command.toLevel === NEXT_LEVEL
      ? { ...command, toLevel: nextLevel(state.confidenceLevel) ?? 'MATURE' }
      : (command as UserPolicyCommand);
  const commandArb: fc.Arbitrary<GeneratedCommand> = fc.oneof(
    fc.record({ type: fc.constant('EnableTrading' as const), actor: actorArb, reason: fc.constant('r') }),
    fc.record({ type: fc.constant('DisableTrading' as const), actor: actorArb, reason: fc.constant('r') }),
    fc.record({
      type: fc.constant('SetOrderLimitOverride' as const),
      limitEur: limitArb,
      actor: actorArb,
      reason: fc.constant('r'),
    }),
    fc.record({
      type: fc.constant('ClearOrderLimitOverride' as const),
      actor: actorArb,
      reason: fc.constant('r'),
    }),
    // toLevel NEXT_LEVEL stands for "the level above the current one", resolved when the command runs.
    fc.record({
      type: fc.constant('ProposePromotion' as const),
      toLevel: fc.oneof(levelArb, fc.constant(NEXT_LEVEL), fc.constant(NEXT_LEVEL)),
      stats: statsArb,
      actor: actorArb,
      reason: fc.constant('r'),
    }),
    fc.record({ type: fc.constant('ApprovePromotion' as const), actor: actorArb, note: fc.constant('n') }),
    fc.record({
      type: fc.constant('ApprovePromotion' as const),
      actor: fc.constant('ops-carol'),
      note: fc.constant('n'),
    }),
    fc.record({ type: fc.constant('RejectPromotion' as const), actor: actorArb, note: fc.constant('n') }),
  );

  it('the decider only writes histories that replay, and the limit never exceeds the level', () => {
    fc.assert(
      fc.property(fc.array(commandArb, { minLength: 5, maxLength: 60, size: 'max' }), (commands) => {
        let state: UserPolicyState = initialUserPolicyState(USER);
        const history: UserPolicyEvent[] = [];
        for (const command of commands) {
          const decision = decideUserPolicy(resolve(command, state), state, NOW);
          if (!decision.ok) {
            expect(decision.error).toBeInstanceOf(UserPolicyError);
            continue;
          }
          const events = decision.events;
          for (const event of events) state = evolveUserPolicy(state, event);
          history.push(...events);
          const levelLimit = levelOrderLimitEur(state.confidenceLevel);
          if (levelLimit !== null)
            expect(new Decimal(state.effectiveLimitEur ?? 'NaN').lte(levelLimit)).toBe(true);
          if (state.orderLimitOverrideEur !== null) {
            expect(new Decimal(state.effectiveLimitEur ?? 'NaN').lte(state.orderLimitOverrideEur)).toBe(true);
          }
        }
        // Replaying the stored (serialized) history gives the same state.
        const replayed = foldUserPolicy(
          USER,
          history.map((event) => parseUserPolicyEvent(JSON.parse(JSON.stringify(event)) as UserPolicyEvent)),
        );
        expect(replayed).toEqual(state);
        // Levels only go up, and each change went through an approval.
        const approvals = history.filter((event) => event.type === 'PromotionApproved').length;
        expect(CONFIDENCE_LEVELS.indexOf(state.confidenceLevel)).toBe(approvals);
      }),
    );
  });
});
