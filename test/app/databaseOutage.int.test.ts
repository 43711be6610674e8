import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app';
import { loadConfig } from '../../src/config';
import { simControl } from '../support/bitvavoSimulator';
import { marketBuy } from '../support/appHarness';
import { createTestDatabase, type TestDatabase } from '../support/testDatabase';
import { startTcpProxy, type TcpProxy } from '../support/tcpProxy';

/** 503 when the database (and so the event store) is down, and nothing is sent to the exchange. */
describe('database outage', () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let app: App;
  let trader: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    const target = new URL(db.connectionString);
    proxy = await startTcpProxy(target.hostname, Number(target.port));
    const config = loadConfig({
      LOG_LEVEL: 'silent',
      BITVAVO_RATE_LIMIT_PER_MIN: '0',
      DATABASE_POOL_MAX: '4',
    });
    app = await createApp(config, {
      connectionString: proxy.rewrite(db.connectionString),
      exchange: { simulator: { priceDrift: false } },
    });
    trader = (await app.services.keys.create({ role: 'trader', userId: 'alice' })).key;
    await app.services.policy.execute('alice', [
      { type: 'EnableTrading', actor: 'ops:test', reason: 'test' },
    ]);
  });
  afterAll(async () => {
    await app?.stop();
    await proxy?.close();
    await db?.drop();
  });

  const submit = async (body: Record<string, unknown>) => {
    const response = await app.server.inject({
      method: 'POST',
      url: '/v1/executions',
      headers: { authorization: `Bearer ${trader}` },
      payload: body,
    });
    return { status: response.statusCode, body: response.json<Record<string, unknown>>() };
  };

  it('answers 503 SERVICE_UNAVAILABLE and sends nothing while the database is down, and recovers after', async () => {
    expect((await submit(marketBuy())).status).toBe(201); // also caches the key
    const control = simControl(app.context.exchange.simulator!);
    const ordersBefore = (await control.orders()).length;

    await proxy.down();
    for (let attempt = 0; attempt < 3; attempt++) {
      const refused = await submit(marketBuy());
      expect(refused.status).toBe(503);
      expect(refused.body).toEqual({ error: { code: 'SERVICE_UNAVAILABLE', message: expect.any(String) } });
    }
    const ready = await app.server.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json<{ checks: Record<string, string> }>().checks['database']).not.toBe('ok');
    expect((await control.orders()).length).toBe(ordersBefore);

    await proxy.up();
    expect((await submit(marketBuy())).status).toBe(201);
    expect((await control.orders()).length).toBe(ordersBefore + 1);
  });
});
