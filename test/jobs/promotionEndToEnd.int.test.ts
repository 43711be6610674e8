import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordingNotifier } from '../../src/adapters/alerts/notifier';
import { ManualClock } from '../../src/domain/ports/clock';
import { jobsModule, type JobsModule } from '../../src/jobs/jobsModule';
import { testProjectionsModule } from '../adapters/http/support/testProjectionsModule';
import { marketBuy, startTestApp, type TestApp } from '../support/appHarness';

type Json = Record<string, unknown>;
const HOUR = 3_600_000;

async function until<T>(
  what: string,
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The next hh:30 strictly after `ms` (the promotions job's slot). */
function nextHalfPast(ms: number): number {
  const hourStart = Math.floor(ms / HOUR) * HOUR;
  const candidate = hourStart + 30 * 60_000;
  return candidate > ms ? candidate : candidate + HOUR;
}

describe('promotion end to end', () => {
  let t: TestApp;
  let jobs: JobsModule;
  const clock = new ManualClock(Date.now());
  const notifier = new RecordingNotifier();

  beforeAll(async () => {
    jobs = jobsModule({ clock, notifier, autoStartScheduler: false, startupReconciliation: false });
    t = await startTestApp({ listen: true, overrides: { modules: [testProjectionsModule(), jobs] } });
  });
  afterAll(async () => {
    await t?.close();
  });

  const submit = (body: Json) => t.request('POST', '/v1/executions', { key: t.keys.alice, body });
  const ops = (method: 'GET' | 'POST', url: string, body?: Json, key = t.keys.ops) =>
    t.request(method, url, { key, ...(body === undefined ? {} : { body }) });

  it('100 successful executions at TRAINING → proposed → approved → a €100 order accepted, €100.01 rejected', async () => {
    const scheduler = jobs.handles().scheduler!;
    // 49 hours of clean invariant checks before now.
    clock.setMs(Date.now() - 49 * HOUR);
    expect((await scheduler.runNow('invariants')).detail).toMatchObject({ ok: true });

    const startedMs = Date.now();
    for (let i = 0; i < 100; i++) {
      const answer = await submit(marketBuy({ amountQuote: '10' }));
      expect(answer.status).toBe(201);
    }
    const seedMs = Date.now() - startedMs;
    expect((await submit(marketBuy({ amountQuote: '100' }))).body).toMatchObject({
      error: { code: 'ORDER_LIMIT_EXCEEDED' },
    });
    await until(
      'user_execution_stats',
      async () =>
        (
          await t.db.pool.query<{ successful: string }>(
            "SELECT successful FROM user_execution_stats WHERE user_id = 'alice'",
          )
        ).rows[0]?.successful,
      (successful) => successful === '100',
    );

    // The promotions job at :30 proposes alice; bob (no executions) is not proposed.
    clock.setMs(nextHalfPast(Date.now()));
    const reports = await scheduler.tick();
    expect(reports.find((report) => report.job === 'promotions')).toMatchObject({
      outcome: 'succeeded',
      detail: { proposed: ['alice'] },
    });
    expect(notifier.notices.map((notice) => notice.title)).toContain(
      'Promotion proposed: alice TRAINING → VALIDATED',
    );

    const listed = await until(
      'the promotion queue',
      async () => (await ops('GET', '/v1/ops/promotions')).body['promotions'] as Json[],
      (promotions) => promotions.length === 1,
    );
    expect(listed[0]).toMatchObject({
      userId: 'alice',
      fromLevel: 'TRAINING',
      toLevel: 'VALIDATED',
      proposedBy: 'promotions-job',
      currentLimitEur: '25.00',
      newLimitEur: '100.00',
      stats: {
        successful: 100,
        executionsPastGates: 100,
        reconciled: 0,
        successRate: '1.000000',
        recoveryRate: '0.000000',
      },
    });

    // Still TRAINING until an operator approves.
    expect((await submit(marketBuy({ amountQuote: '100' }))).status).toBe(422);
    const approved = await ops('POST', '/v1/ops/promotions/alice/approve', {
      note: 'clean record, 100 of 100',
      toLevel: 'VALIDATED',
    });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({
      userId: 'alice',
      decision: 'approved',
      confidenceLevel: 'VALIDATED',
      effectiveLimitEur: '100.00',
      decidedBy: 'ops:test-ops',
    });
    expect(notifier.userNotifications).toEqual([
      expect.objectContaining({ userId: 'alice', title: 'Promoted to VALIDATED' }),
    ]);

    // The new limit applies to the very next order.
    const accepted = await submit(marketBuy({ amountQuote: '100' }));
    expect(accepted.status).toBe(201);
    expect((accepted.body['execution'] as Json)['status']).toBe('FILLED');
    const refused = await submit(marketBuy({ amountQuote: '100.01' }));
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ error: { code: 'ORDER_LIMIT_EXCEEDED' } });
    // Seeding through the real API is fast enough to keep (about 100 orders a second or better).
    expect(seedMs).toBeLessThan(30_000);
  });

  it('ops routes: ops key only, zod-validated body, errors as { error: { code, message } }', async () => {
    expect((await t.request('GET', '/v1/ops/promotions')).status).toBe(401);
    expect((await ops('GET', '/v1/ops/promotions', undefined, t.keys.alice)).status).toBe(403);
    expect((await ops('POST', '/v1/ops/promotions/bob/approve', { note: 'x' }, t.keys.bob)).status).toBe(403);
    const noNote = await ops('POST', '/v1/ops/promotions/bob/approve', {});
    expect(noNote.status).toBe(400);
    expect(noNote.body).toMatchObject({
      error: { code: 'VALIDATION_FAILED', message: expect.stringContaining('note') },
    });
    const extra = await ops('POST', '/v1/ops/promotions/bob/reject', { note: 'x', level: 'MATURE' });
    expect(extra.status).toBe(400);
    const badUser = await ops('POST', '/v1/ops/promotions/not%20a%20user/approve', { note: 'x' });
    expect(badUser.status).toBe(400);
    const notPending = await ops('POST', '/v1/ops/promotions/bob/approve', { note: 'nothing to approve' });
    expect(notPending.status).toBe(409);
    expect(notPending.body).toEqual({
      error: { code: 'PROMOTION_NOT_PENDING', message: 'no promotion is pending for bob' },
    });
  });
});
