import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { createApp, type App, type AppOverrides } from '../../src/app';
import { loadConfig } from '../../src/config';
import type { RunningSimulator } from '../../src/adapters/exchange/simulator/startSimulator';
import { simControl } from './bitvavoSimulator';
import { createTestDatabase, type TestDatabase } from './testDatabase';

export interface TestKeys {
  readonly ops: string;
  /** Trader of user `alice` (enabled for trading). */
  readonly alice: string;
  /** Trader of user `bob` (enabled for trading). */
  readonly bob: string;
}

export interface TestApp {
  readonly app: App;
  readonly db: TestDatabase;
  readonly sim: RunningSimulator;
  readonly control: ReturnType<typeof simControl>;
  readonly keys: TestKeys;
  /** Set when started with `listen: true`: the real socket's base URL. */
  readonly url: string | undefined;
  /** In-process request (fastify inject) with an optional API key. */
  request(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    options?: { key?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<{ status: number; body: Record<string, unknown> }>;
  /** Number of events in the whole store. */
  eventCount(): Promise<number>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  readonly env?: Record<string, string>;
  readonly overrides?: AppOverrides;
  readonly listen?: boolean;
  readonly logger?: Logger;
}

/**
 * The whole app on a fresh database, with the simulator in-process (prices still, no rate limits
 * unless asked), an ops key and two enabled traders. Timeouts and windows are short so that tests of
 * unknown outcomes finish in seconds.
 */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const db = await createTestDatabase();
  const config = loadConfig({
    EXCHANGE: 'simulated',
    LOG_LEVEL: 'silent',
    PORT: '0',
    HOST: '127.0.0.1',
    BITVAVO_TIMEOUT_MS: '1000',
    BITVAVO_ACCESS_WINDOW_MS: '1000',
    CLOCK_SKEW_MAX_MS: '2000',
    BITVAVO_RATE_LIMIT_PER_MIN: '0',
    API_RATE_LIMIT_PER_MIN: '100000',
    // Re-send at once after a SOFT answer; the soft retry delay has its own tests that set it.
    RECONCILE_SOFT_RETRY_DELAY_MS: '0',
    ...options.env,
  });
  let app: App;
  try {
    app = await createApp(config, {
      pool: db.pool,
      ...(options.logger ? { logger: options.logger } : {}),
      ...options.overrides,
      exchange: {
        ...options.overrides?.exchange,
        simulator: { priceDrift: false, seed: 7, ...options.overrides?.exchange?.simulator },
      },
    });
  } catch (error) {
    await db.drop();
    throw error;
  }
  const { keys, policy } = app.services;
  const ops = (await keys.create({ role: 'ops', name: 'test-ops' })).key;
  const alice = (await keys.create({ role: 'trader', userId: 'alice' })).key;
  const bob = (await keys.create({ role: 'trader', userId: 'bob' })).key;
  for (const userId of ['alice', 'bob']) {
    await policy.execute(userId, [{ type: 'EnableTrading', actor: 'ops:test', reason: 'test user' }]);
  }
  const url = options.listen ? (await app.start()).url : undefined;
  const sim = app.context.exchange.simulator!;
  return {
    app,
    db,
    sim,
    control: simControl(sim),
    keys: { ops, alice, bob },
    url,
    async request(method, path, requestOptions = {}) {
      const response = await app.server.inject({
        method,
        url: path,
        headers: {
          ...(requestOptions.key ? { authorization: `Bearer ${requestOptions.key}` } : {}),
          ...requestOptions.headers,
        },
        ...(requestOptions.body === undefined
          ? {}
          : { payload: requestOptions.body as Record<string, unknown> }),
      });
      const text = response.body;
      return { status: response.statusCode, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
    },
    async eventCount() {
      const result = await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM events');
      return Number(result.rows[0]?.n);
    },
    async close() {
      await app.stop();
      await db.drop();
    },
  };
}

/** A valid market-order body for user-side tests (a €10 buy of BTC by default). */
export function marketBuy(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    clientOrderId: randomUUID(),
    market: 'BTC-EUR',
    side: 'buy',
    orderType: 'market',
    amountQuote: '10',
    expiresAt: new Date(Date.now() + 60_000).toISOString(),
    ...overrides,
  };
}

/** Orders the simulator holds with this clientOrderId. */
export async function simOrdersFor(control: ReturnType<typeof simControl>, clientOrderId: string) {
  return (await control.orders()).filter((order) => order['clientOrderId'] === clientOrderId);
}
