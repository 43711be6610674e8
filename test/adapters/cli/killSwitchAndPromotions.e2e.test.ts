import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresEventStore } from '../../../src/adapters/eventstore/postgres/postgresEventStore';
import { UserPolicyService } from '../../../src/application/policy/userPolicyService';
import { systemClock } from '../../../src/adapters/clock/systemClock';
import { createTestDatabase, type TestDatabase } from '../../support/testDatabase';
import { runLedger } from './support/runLedger';

let database: TestDatabase;
let store: PostgresEventStore;
let env: Record<string, string>;
let receiver: Server;
const received: string[] = [];

beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 4 });
  store = new PostgresEventStore(database.pool);
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      received.push((JSON.parse(body) as { text: string }).text);
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const port = (receiver.address() as AddressInfo).port;
  env = { DATABASE_URL: database.connectionString, ALERT_WEBHOOK_URL: `http://127.0.0.1:${port}/hook` };
});

afterAll(async () => {
  receiver?.closeAllConnections();
  await new Promise((resolve) => receiver?.close(resolve));
  await store?.close();
  await database?.drop();
});

async function controlEvents() {
  const events = await store.readStream('trading-control');
  return events.map((event) => ({
    type: event.type,
    actor: event.data['actor'],
    reason: event.data['reason'],
  }));
}

describe('ledger kill-switch', () => {
  it('engages and releases with who and why, is idempotent, and shows its status', async () => {
    const engaged = await runLedger(
      ['kill-switch', 'engage', '--reason', 'exchange incident #12', '--operator', 'alice'],
      env,
    );
    expect(engaged.code).toBe(0);
    expect(engaged.stdout).toContain('kill switch ENGAGED');
    expect(engaged.stdout).toContain('by cli:alice');

    const again = await runLedger(['kill-switch', 'engage', '--reason', 'pressing twice', '--json'], env);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({
      changed: false,
      killSwitch: { engaged: true, changedBy: 'cli:alice' },
    });

    const status = await runLedger(['kill-switch', 'status'], env);
    expect(status.stdout).toContain('reason: exchange incident #12');

    const released = await runLedger(
      ['kill-switch', 'release', '--reason', 'incident closed', '--json'],
      env,
    );
    expect(released.code).toBe(0);
    expect(JSON.parse(released.stdout)).toMatchObject({ changed: true, killSwitch: { engaged: false } });

    const events = await controlEvents();
    expect(events).toEqual([
      { type: 'KillSwitchEngaged', actor: 'cli:alice', reason: 'exchange incident #12' },
      // Without --operator the OS user acts.
      { type: 'KillSwitchReleased', actor: expect.stringMatching(/^cli:.+/), reason: 'incident closed' },
    ]);
  });

  it('refuses a change without a reason (usage error, nothing written)', async () => {
    const before = (await controlEvents()).length;
    const run = await runLedger(['kill-switch', 'engage'], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--reason');
    const blank = await runLedger(['kill-switch', 'engage', '--reason', '  '], env);
    expect(blank.code).toBe(2);
    expect(await controlEvents()).toHaveLength(before);
  });
});

describe('ledger promotions', () => {
  it('lists the pending proposal, approves it with a note, and notifies the user through the webhook', async () => {
    const policy = new UserPolicyService(store, systemClock);
    await policy.execute('erin', [{ type: 'EnableTrading', actor: 'ops:test', reason: 'new trader' }]);
    await policy.execute('erin', [
      {
        type: 'ProposePromotion',
        actor: 'promotions-job',
        toLevel: 'VALIDATED',
        stats: { executionsPastGates: 100, successful: 100, reconciled: 0 },
        reason: 'eligible',
      },
    ]);
    // The user_policies row stands in for the projection (it lists who has a pending proposal).
    await database.pool.query(
      `INSERT INTO user_policies (user_id, trading_enabled, confidence_level, pending_promotion_to, pending_promotion, state,
         stream_revision, global_position, updated_at)
       VALUES ('erin', true, 'TRAINING', 'VALIDATED', '{}', '{}', 1, 1, now())`,
    );
    const list = await runLedger(['promotions', 'list'], env);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('erin: TRAINING → VALIDATED (limit €25.00 → €100.00)');

    const noNote = await runLedger(['promotions', 'approve', 'erin'], env);
    expect(noNote.code).toBe(2);

    const approved = await runLedger(
      ['promotions', 'approve', 'erin', '--note', 'clean 48 h', '--operator', 'bob'],
      env,
    );
    expect(approved.stderr).toBe('');
    expect(approved.code).toBe(0);
    expect(approved.stdout).toContain('approved: erin is now VALIDATED, per-order limit €100.00');
    expect(received.some((text) => text.includes('[user erin] Promoted to VALIDATED'))).toBe(true);

    const state = await policy.read('erin');
    expect(state).toMatchObject({ confidenceLevel: 'VALIDATED', effectiveLimitEur: '100.00' });
    expect(state.promotionHistory.at(-1)).toMatchObject({
      decision: 'approved',
      decidedBy: 'cli:bob',
      note: 'clean 48 h',
    });

    const twice = await runLedger(['promotions', 'reject', 'erin', '--note', 'late'], env);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain('no promotion is pending for erin');
  });
});
