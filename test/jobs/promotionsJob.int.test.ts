import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RecordingNotifier } from '../../src/adapters/alerts/notifier';
import { PostgresEventStore } from '../../src/adapters/eventstore/postgres/postgresEventStore';
import { createLogger } from '../../src/adapters/logging/createLogger';
import { UserPolicyService } from '../../src/application/policy/userPolicyService';
import { PromotionReviewService } from '../../src/application/promotions/promotionReviewService';
import { ManualClock } from '../../src/domain/ports/clock';
import { promotionsJob } from '../../src/jobs/promotionsJob';
import { JobScheduler } from '../../src/jobs/scheduler/JobScheduler';
import { createTestDatabase, type TestDatabase } from '../support/testDatabase';

const logger = createLogger({ level: 'silent' });
const HOUR = 3_600_000;
const T0 = Date.parse('2025-03-03T10:00:00.000Z');
const AT_30 = T0 + 30 * 60_000;

let db: TestDatabase;
let store: PostgresEventStore;
beforeEach(async () => {
  db = await createTestDatabase({ poolMax: 5 });
  store = new PostgresEventStore(db.pool);
});
afterEach(async () => {
  await store.close();
  await db.drop();
});

async function seedStats(userId: string, pastGates: number, successful: number, reconciled: number) {
  await db.pool.query(
    `INSERT INTO user_execution_stats (user_id, executions_total, executions_past_gates, successful, reconciled, updated_at)
     VALUES ($1, $2, $2, $3, $4, now())`,
    [userId, pastGates, successful, reconciled],
  );
}

async function seedInvariantRun(atMs: number, ok = true) {
  await db.pool.query(
    `INSERT INTO invariant_check_results (check_name, ran_at, violations, ok) VALUES ('check_no_duplicates', $1, $2, $3)`,
    [new Date(atMs).toISOString(), ok ? 0 : 1, ok],
  );
}

async function enable(policy: UserPolicyService, userId: string) {
  await policy.execute(userId, [{ type: 'EnableTrading', actor: 'ops:test', reason: 'test user' }]);
}

async function policyEvents(userId: string) {
  const events = await store.readStream(`user-policy-${userId}`);
  return events.map((event) => ({ type: event.type, actor: event.data['actor'] }));
}

function setup(clock: ManualClock) {
  const policy = new UserPolicyService(store, clock);
  const notifier = new RecordingNotifier();
  const scheduler = new JobScheduler({
    pool: db.pool,
    clock,
    logger,
    jobs: [promotionsJob({ pool: db.pool, policy, notifier })],
  });
  return { policy, notifier, scheduler };
}

describe('promotions job (30 * * * *)', () => {
  it('proposes an eligible user at :30 after 48 h of clean invariant checks, once per level', async () => {
    const clock = new ManualClock(T0);
    const { policy, notifier, scheduler } = setup(clock);
    await seedInvariantRun(AT_30 - 49 * HOUR);
    await seedInvariantRun(AT_30 - HOUR);
    await enable(policy, 'alice');
    await enable(policy, 'bob');
    await enable(policy, 'carol');
    await seedStats('alice', 100, 100, 4); // 100 %, recovery 4 % < 5 %: eligible for VALIDATED
    await seedStats('bob', 100, 99, 0); // 99 successful: not yet
    await seedStats('carol', 102, 100, 0); // 98.04 %: eligible
    await seedStats('dave', 200, 200, 0); // trading disabled (no policy stream): never proposed

    clock.setMs(AT_30 - 1);
    expect(await scheduler.tick()).toEqual([]);
    clock.setMs(AT_30);
    const [report] = await scheduler.tick();
    expect(report).toMatchObject({
      outcome: 'succeeded',
      detail: { proposed: ['alice', 'carol'], usersConsidered: 3 },
    });
    expect(await policyEvents('alice')).toEqual([
      { type: 'TradingEnabled', actor: 'ops:test' },
      { type: 'PromotionProposed', actor: 'promotions-job' },
    ]);
    const alice = await policy.read('alice');
    expect(alice.pendingPromotion).toMatchObject({
      fromLevel: 'TRAINING',
      toLevel: 'VALIDATED',
      stats: { successful: 100, executionsPastGates: 100, successRate: '1.000000', recoveryRate: '0.040000' },
    });
    expect(notifier.notices.map((notice) => notice.title)).toEqual([
      'Promotion proposed: alice TRAINING → VALIDATED',
      'Promotion proposed: carol TRAINING → VALIDATED',
    ]);

    // The next hour: still pending, so nobody is proposed again.
    clock.setMs(AT_30 + HOUR);
    const [again] = await scheduler.tick();
    expect(again?.detail).toMatchObject({ proposed: [] });
    expect((await policyEvents('alice')).filter((event) => event.type === 'PromotionProposed')).toHaveLength(
      1,
    );
    await scheduler.stop();
  });

  it('holds every proposal within 48 h of an invariant violation, and before 48 h of checks exist', async () => {
    const clock = new ManualClock(T0);
    const { policy, scheduler } = setup(clock);
    await enable(policy, 'alice');
    await seedStats('alice', 100, 100, 0);

    clock.setMs(AT_30);
    expect((await scheduler.tick())[0]?.detail).toMatchObject({
      proposed: [],
      lastInvariantViolation: 'no invariant check recorded yet',
    });

    await seedInvariantRun(AT_30 - 60 * HOUR);
    await seedInvariantRun(AT_30 + HOUR - 47 * HOUR, false);
    clock.setMs(AT_30 + HOUR);
    expect((await scheduler.tick())[0]?.detail).toMatchObject({ proposed: [] });

    // 48 h after the violation, the user is proposed.
    clock.setMs(AT_30 + 2 * HOUR);
    expect((await scheduler.tick())[0]?.detail).toMatchObject({ proposed: ['alice'] });
    await scheduler.stop();
  });
});

describe('PromotionReviewService', () => {
  it('lists pending proposals, approves with a note (level and limit change, user notified), rejects', async () => {
    const clock = new ManualClock(AT_30);
    const { policy, scheduler } = setup(clock);
    const notifier = new RecordingNotifier();
    const review = new PromotionReviewService({ pool: db.pool, policy, notifier });
    await seedInvariantRun(AT_30 - 49 * HOUR);
    for (const user of ['alice', 'bob']) {
      await enable(policy, user);
      await seedStats(user, 100, 100, 0);
    }
    await scheduler.runNow('promotions');
    // The user_policies read model is the projection's; here two rows stand in for it.
    for (const user of ['alice', 'bob']) {
      await db.pool.query(
        `INSERT INTO user_policies (user_id, trading_enabled, confidence_level, pending_promotion_to, pending_promotion, state,
           stream_revision, global_position, updated_at)
         VALUES ($1, true, 'TRAINING', 'VALIDATED', '{}', '{}', 1, 1, now())`,
        [user],
      );
    }
    const pending = await review.listPending();
    expect(
      pending.map((view) => [
        view.userId,
        view.fromLevel,
        view.toLevel,
        view.currentLimitEur,
        view.newLimitEur,
      ]),
    ).toEqual([
      ['alice', 'TRAINING', 'VALIDATED', '25.00', '100.00'],
      ['bob', 'TRAINING', 'VALIDATED', '25.00', '100.00'],
    ]);

    await expect(
      review.approve('alice', { note: 'self-approval', actor: 'promotions-job' }),
    ).rejects.toMatchObject({
      code: 'APPROVER_NOT_ALLOWED',
    });
    await expect(
      review.approve('alice', { note: 'stale', actor: 'ops:ann', toLevel: 'PRODUCTION' }),
    ).rejects.toMatchObject({
      code: 'PROMOTION_LEVEL_MISMATCH',
    });
    const approved = await review.approve('alice', { note: 'clean record', actor: 'ops:ann' });
    expect(approved).toMatchObject({
      confidenceLevel: 'VALIDATED',
      effectiveLimitEur: '100.00',
      pendingPromotion: null,
    });
    expect((await policyEvents('alice')).map((event) => event.type)).toEqual([
      'TradingEnabled',
      'PromotionProposed',
      'PromotionApproved',
      'ConfidenceLevelChanged',
    ]);
    await expect(review.approve('alice', { note: 'twice', actor: 'ops:ann' })).rejects.toMatchObject({
      code: 'PROMOTION_NOT_PENDING',
    });

    const rejected = await review.reject('bob', { note: 'too many manual resolutions', actor: 'ops:ann' });
    expect(rejected).toMatchObject({ confidenceLevel: 'TRAINING', pendingPromotion: null });
    expect(await review.listPending()).toEqual([]);
    expect(notifier.userNotifications.map((n) => [n.userId, n.title])).toEqual([
      ['alice', 'Promoted to VALIDATED'],
      ['bob', 'Promotion to VALIDATED not approved'],
    ]);
    expect(notifier.userNotifications[0]?.text).toContain('€100.00');

    // A rejected level is not proposed again within the cooldown.
    clock.advanceMs(HOUR);
    const report = await scheduler.runNow('promotions');
    expect(report.detail).toMatchObject({ proposed: [] });
    await scheduler.stop();
  });
});
