import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordingNotifier } from '../../src/adapters/alerts/notifier';
import { startSimulator, type RunningSimulator } from '../../src/adapters/exchange/simulator/startSimulator';
import { createApp, type App } from '../../src/app';
import { loadConfig, type Config } from '../../src/config';
import { jobsModule } from '../../src/jobs/jobsModule';
import { simControl } from '../support/bitvavoSimulator';
import { marketBuy, simOrdersFor } from '../support/appHarness';
import { createTestDatabase, type TestDatabase } from '../support/testDatabase';

type Json = Record<string, unknown>;

/** The base URL as soon as the app's socket listens (before `start()` resolves). */
async function listeningUrl(app: App): Promise<string> {
  for (let i = 0; i < 500 && !app.server.server.listening; i++)
    await new Promise((resolve) => setTimeout(resolve, 5));
  const address = app.server.server.address();
  if (address === null || typeof address === 'string') throw new Error('the app is not listening');
  return `http://127.0.0.1:${address.port}`;
}

/**
 * A first instance leaves an execution SUBMITTING (the exchange placed the order, the answer was
 * lost); a second instance starts on the same database and exchange and must not take a new order
 * before it has reconciled that one.
 */
describe('start-up reconciliation', () => {
  let db: TestDatabase;
  let sim: RunningSimulator;
  let config: Config;
  const apps: App[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    sim = await startSimulator({ port: 0, priceDrift: false, seed: 7, rateLimitPerMin: 0 });
    config = loadConfig({
      EXCHANGE: 'simulated',
      BITVAVO_API_URL: sim.url,
      LOG_LEVEL: 'silent',
      PORT: '0',
      BITVAVO_TIMEOUT_MS: '5000',
      BITVAVO_ACCESS_WINDOW_MS: '5000',
      CLOCK_SKEW_MAX_MS: '500',
      BITVAVO_RATE_LIMIT_PER_MIN: '0',
    });
  });
  afterAll(async () => {
    for (const app of apps) await app.stop();
    await sim?.close();
    await db?.drop();
  });

  it('holds /readyz and new submissions (503) until the SUBMITTING execution left by a crash is reconciled', async () => {
    const first = await createApp(config, { pool: db.pool });
    apps.push(first);
    const ops = (await first.services.keys.create({ role: 'ops', name: 'ops' })).key;
    const trader = (await first.services.keys.create({ role: 'trader', userId: 'alice' })).key;
    await first.services.policy.execute('alice', [
      { type: 'EnableTrading', actor: 'ops:test', reason: 'test' },
    ]);
    const control = simControl(sim);
    await control.faults([{ kind: 'drop_after_commit', method: 'POST', path: '/order' }]);
    const stuck = marketBuy();
    const stuckId = stuck['clientOrderId'] as string;
    const pending = await first.server.inject({
      method: 'POST',
      url: '/v1/executions',
      headers: { authorization: `Bearer ${trader}` },
      payload: stuck,
    });
    expect(pending.statusCode).toBe(202);
    await first.stop();

    // The second instance's first lookup is slow, so that the hold can be watched.
    // 2.5 s: long enough that a loaded machine still asks /readyz within it (800 ms flaked); the
    // timeout and access window above are 5 s so that the delayed lookup still succeeds.
    await control.faults([{ kind: 'delay', method: 'GET', path: '/order', ms: 2500 }]);
    const notifier = new RecordingNotifier();
    const jobs = jobsModule({ schedulerEnabled: false, notifier });
    const second = await createApp(config, { pool: db.pool, modules: [jobs] });
    apps.push(second);
    // start() resolves once start-up reconciliation is done; the socket listens before that.
    const started = second.start();
    const url = await listeningUrl(second);
    const call = async (method: string, path: string, key?: string, body?: Json) => {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: {
          ...(key ? { authorization: `Bearer ${key}` } : {}),
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      return { status: response.status, body: (await response.json()) as Json };
    };

    const notReady = await call('GET', '/readyz');
    expect(notReady.status).toBe(503);
    expect(notReady.body['checks']).toMatchObject({ 'startup-reconciliation': 'in progress' });
    const early = marketBuy();
    const refused = await call('POST', '/v1/executions', trader, early);
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ error: { code: 'NOT_READY' } });
    expect(await simOrdersFor(control, early['clientOrderId'] as string)).toHaveLength(0);

    const report = await jobs.handles().startup;
    expect((await started).url).toBe(url);
    expect(report).toMatchObject({ completed: true, rounds: 1, resolved: 1, actions: { found: 1 } });

    expect((await call('GET', '/readyz')).status).toBe(200);
    const resolved = await call('GET', `/v1/executions/${stuckId}`, ops);
    expect(resolved.body['execution']).toMatchObject({ status: 'FILLED', reconcileAttempts: 1 });
    expect(await simOrdersFor(control, stuckId)).toHaveLength(1);
    // The refused request recorded nothing; sent again now, it is a new order.
    expect((await call('GET', `/v1/executions/${early['clientOrderId'] as string}`, ops)).status).toBe(404);
    expect((await call('POST', '/v1/executions', trader, early)).status).toBe(201);
    expect(notifier.alerts).toEqual([]);
  });
});
