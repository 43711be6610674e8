import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/adapters/logging/createLogger';
import type { ExecutionRepository } from '../../src/application/executions/executionRepository';
import { ManualClock } from '../../src/domain/ports/clock';
import type { Exchange } from '../../src/domain/ports/exchange';
import { FillFollower, fillFollowerJob } from '../../src/jobs/fillFollower';
import { createTestDatabase, type TestDatabase } from '../support/testDatabase';
import { insertTradeExecutions } from './tradeExecutionRows';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ poolMax: 4 });
});
afterAll(async () => {
  await db.drop();
});

/** A follower whose every look finds the order unchanged (the lookup fails), recording who was looked at. */
function recordingFollower(maxPerRun: number, remaining?: () => number) {
  const looked: string[] = [];
  const repository = {
    async load(clientOrderId: string) {
      looked.push(clientOrderId);
      return { state: { clientOrderId, market: 'BTC-EUR', status: 'SUBMITTED' }, recorded: [] };
    },
  } as unknown as ExecutionRepository;
  const exchange = {
    async getOrderByClientOrderId() {
      return { ok: false, errorClass: 'UNKNOWN', message: 'still open, nothing new' };
    },
  } as unknown as Exchange;
  const follower = new FillFollower(
    {
      pool: db.pool,
      repository,
      exchange,
      clock: new ManualClock(Date.now()),
      logger: createLogger({ level: 'silent' }),
      ...(remaining === undefined ? {} : { rateLimitRemaining: remaining }),
    },
    { maxPerRun, minRemainingPoints: 150, clockSkewMaxMs: 5_000 },
  );
  return { follower, looked };
}

describe('the fill follower', () => {
  it('gets to every open order in turn, also when 500+ older open orders never change', async () => {
    await db.pool.query('DELETE FROM trade_executions');
    const longAgo = Date.now() - 86_400_000;
    // 520 open limit orders that never change: the oldest updated_at of all.
    const stuck = await insertTradeExecutions(
      db.pool,
      Array.from({ length: 520 }, (_, i) => ({
        status: i % 2 === 0 ? 'SUBMITTED' : 'PARTIALLY_FILLED',
        bitvavoOrderId: `o-${i}`,
        updatedAt: new Date(longAgo + i * 1_000),
      })),
    );
    // A younger order, acknowledged a minute ago.
    const [younger] = await insertTradeExecutions(db.pool, [
      { status: 'SUBMITTED', bitvavoOrderId: 'young', updatedAt: new Date(Date.now() - 60_000) },
    ]);
    await insertTradeExecutions(db.pool, [{ status: 'FILLED', bitvavoOrderId: 'done' }]);
    const { follower, looked } = recordingFollower(100);
    // 521 open orders, 100 a run: one full turn takes 6 runs.
    for (let run = 0; run < 6; run++) {
      const summary = await follower.followOnce();
      expect(summary.looked).toBeLessThanOrEqual(100);
    }
    expect(looked).toContain(younger);
    expect(new Set(looked)).toEqual(new Set([...stuck, younger]));
    // No order twice in one turn.
    expect(looked.slice(0, 521).length).toBe(new Set(looked.slice(0, 521)).size);
  });

  it('a run cut short by the rate-limit budget goes on next time from the first order it did not look at', async () => {
    await db.pool.query('DELETE FROM trade_executions');
    const ids = await insertTradeExecutions(
      db.pool,
      Array.from({ length: 5 }, (_, i) => ({
        status: 'SUBMITTED',
        bitvavoOrderId: `b-${i}`,
        updatedAt: new Date(Date.now() - 60_000 + i),
      })),
    );
    let points = 150 + 6 * 2; // room for two looks of 6 points
    const { follower, looked } = recordingFollower(10, () => points);
    const original = follower.follow.bind(follower);
    follower.follow = async (id: string) => {
      points -= 6;
      return original(id);
    };
    const first = await follower.followOnce();
    expect(first).toMatchObject({ looked: 2, deferredForBudget: 3 });
    points = 10_000;
    const second = await follower.followOnce();
    expect(second.looked).toBe(5);
    // The three deferred first, then the turn goes on (wrapping round to the first two).
    expect(new Set(looked.slice(2, 5))).toEqual(
      new Set(ids.filter((id) => !looked.slice(0, 2).includes(id))),
    );
    expect(new Set(looked.slice(5, 7))).toEqual(new Set(looked.slice(0, 2)));
  });

  it('a run whose every exchange lookup failed (an outage) fails, so that the job alerts', async () => {
    await db.pool.query('DELETE FROM trade_executions');
    await insertTradeExecutions(
      db.pool,
      ['a', 'b', 'c'].map((id) => ({ status: 'SUBMITTED', bitvavoOrderId: `outage-${id}` })),
    );
    const { follower } = recordingFollower(10);
    const job = fillFollowerJob(follower, 1_000);
    await expect(job.run({ signal: new AbortController().signal } as never)).rejects.toThrow(
      /every fill look failed \(0 errors, 3 exchange lookups failed\)/,
    );
  });
});
