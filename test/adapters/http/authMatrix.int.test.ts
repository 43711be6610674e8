import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobsModule } from '../../../src/jobs/jobsModule';
import { marketBuy, startTestApp, type TestApp } from '../../support/appHarness';

type Caller = 'none' | 'trader' | 'otherTrader' | 'ops';
const CALLERS: readonly Caller[] = ['none', 'trader', 'otherTrader', 'ops'];

interface RouteCase {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly url: string;
  /** The body for a caller (a fresh one per call where it matters). */
  readonly body?: (caller: Caller) => Record<string, unknown>;
  readonly expected: Readonly<Record<Caller, number>>;
}

const OPS_ONLY = { none: 401, trader: 403, otherTrader: 403, ops: 200 } as const;
const PUBLIC = { none: 200, trader: 200, otherTrader: 200, ops: 200 } as const;

/**
 * The auth matrix: every route of the Command API × (no key, the owning trader `alice`, another
 * trader `bob`, ops). The execution under test belongs to alice.
 */
describe('auth matrix', () => {
  let t: TestApp;
  let aliceExecution: string;
  /** A key only the matrix's ops call revokes. */
  let victimKeyId: string;
  beforeAll(async () => {
    // The jobs module's routes too (GET /v1/ops/jobs, promotions, /metrics); its scheduler stays still.
    t = await startTestApp({
      overrides: { modules: [jobsModule({ autoStartScheduler: false, startupReconciliation: false })] },
    });
    victimKeyId = (await t.app.services.keys.create({ role: 'trader', userId: 'bob', name: 'victim' }))
      .principal.keyId;
    const created = await t.request('POST', '/v1/executions', { key: t.keys.alice, body: marketBuy() });
    aliceExecution = (created.body['execution'] as Record<string, unknown>)['clientOrderId'] as string;
  });
  afterAll(async () => {
    await t?.close();
  });

  const keyOf = (caller: Caller): string | undefined =>
    ({ none: undefined, trader: t.keys.alice, otherTrader: t.keys.bob, ops: t.keys.ops })[caller];

  const cases = (): RouteCase[] => [
    {
      method: 'POST',
      url: '/v1/executions',
      // Trader: for itself; the other trader and ops: explicitly for alice.
      body: (caller) => marketBuy(caller === 'trader' ? {} : { userId: 'alice' }),
      expected: { none: 401, trader: 201, otherTrader: 403, ops: 201 },
    },
    {
      method: 'GET',
      url: `/v1/executions/${aliceExecution}`,
      expected: { none: 401, trader: 200, otherTrader: 403, ops: 200 },
    },
    { method: 'POST', url: `/v1/executions/${aliceExecution}/reconcile`, expected: OPS_ONLY },
    // The read model's list: a trader lists its own user (another user's is 403), ops anyone's.
    {
      method: 'GET',
      url: '/v1/executions',
      expected: { none: 401, trader: 200, otherTrader: 200, ops: 200 },
    },
    {
      method: 'GET',
      url: '/v1/executions?userId=alice',
      expected: { none: 401, trader: 200, otherTrader: 403, ops: 200 },
    },
    { method: 'GET', url: '/v1/ops/stats', expected: OPS_ONLY },
    {
      // alice's execution is FILLED: ops gets past auth and is refused by the state (409 NOT_IN_FLIGHT).
      method: 'POST',
      url: `/v1/executions/${aliceExecution}/abandon`,
      body: () => ({ note: 'matrix' }),
      expected: { none: 401, trader: 403, otherTrader: 403, ops: 409 },
    },
    { method: 'GET', url: '/v1/ops/kill-switch', expected: OPS_ONLY },
    {
      method: 'PUT',
      url: '/v1/ops/kill-switch',
      body: () => ({ engaged: false, reason: 'matrix' }),
      expected: OPS_ONLY,
    },
    { method: 'GET', url: '/v1/ops/users/alice/policy', expected: OPS_ONLY },
    {
      method: 'PUT',
      url: '/v1/ops/users/alice/policy',
      body: () => ({ tradingEnabled: true, reason: 'matrix' }),
      expected: OPS_ONLY,
    },
    { method: 'GET', url: '/v1/ops/markets', expected: OPS_ONLY },
    {
      method: 'PUT',
      url: '/v1/ops/markets',
      body: () => ({ allowed: ['BTC-EUR', 'ETH-EUR'], reason: 'matrix' }),
      expected: OPS_ONLY,
    },
    { method: 'GET', url: '/v1/ops/keys', expected: OPS_ONLY },
    { method: 'DELETE', url: `/v1/ops/keys/${victimKeyId}`, expected: OPS_ONLY },
    { method: 'GET', url: '/v1/ops/jobs', expected: OPS_ONLY },
    { method: 'GET', url: '/healthz', expected: PUBLIC },
    { method: 'GET', url: '/readyz', expected: PUBLIC },
    { method: 'GET', url: '/docs/json', expected: PUBLIC },
  ];

  it('answers each route × caller as the matrix says, with the error envelope', async () => {
    const seen: string[] = [];
    for (const route of cases()) {
      for (const caller of CALLERS) {
        const key = keyOf(caller);
        const response = await t.request(route.method, route.url, {
          ...(key === undefined ? {} : { key }),
          ...(route.body ? { body: route.body(caller) } : {}),
        });
        seen.push(`${route.method} ${route.url} ${caller} → ${response.status}`);
        expect(response.status, `${route.method} ${route.url} as ${caller}`).toBe(route.expected[caller]);
        if (response.status === 401) expect(response.body['error']).toMatchObject({ code: 'UNAUTHORIZED' });
        if (response.status === 403) expect(response.body['error']).toMatchObject({ code: 'FORBIDDEN' });
      }
    }
    expect(seen).toHaveLength(cases().length * CALLERS.length);
  });

  it('covers every route of the OpenAPI document: without a key each non-public one is 401', async () => {
    const doc = (await t.request('GET', '/docs/json')).body as {
      paths: Record<string, Record<string, { security?: unknown[] }>>;
    };
    const covered = new Set(
      cases().map(
        (route) =>
          `${route.method} ${route.url
            .replace(aliceExecution, '{clientOrderId}')
            .replace('/users/alice/', '/users/{userId}/')
            .replace(victimKeyId, '{keyId}')}`,
      ),
    );
    let checked = 0;
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        checked += 1;
        const isPublic = Array.isArray(operation.security) && operation.security.length === 0;
        const url = path.replace('{clientOrderId}', aliceExecution).replace(/\{[^}]+\}/g, 'alice');
        const response = await t.request(
          method.toUpperCase() as 'GET',
          url,
          method === 'get' ? {} : { body: {} },
        );
        if (isPublic) expect(response.status, `${method} ${path}`).not.toBe(401);
        else expect(response.status, `${method} ${path}`).toBe(401);
        if (
          path.startsWith('/v1/executions') ||
          path.startsWith('/v1/ops/kill-switch') ||
          path.startsWith('/v1/ops/markets') ||
          path.startsWith('/v1/ops/keys') ||
          path.startsWith('/v1/ops/jobs')
        ) {
          expect(covered.has(`${method.toUpperCase()} ${path}`), `${method} ${path} is in the matrix`).toBe(
            true,
          );
        }
      }
    }
    expect(checked).toBeGreaterThanOrEqual(11);
  });

  it('401 for an unknown, malformed or missing-scheme key; the key never appears in an answer', async () => {
    for (const authorization of [
      'Bearer tl_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      'Bearer not-a-key',
      t.keys.ops,
      `Basic ${t.keys.ops}`,
      'Bearer',
    ]) {
      const response = await t.request('GET', '/v1/ops/kill-switch', { headers: { authorization } });
      expect(response.status).toBe(401);
      expect(JSON.stringify(response.body)).not.toContain(t.keys.ops);
    }
  });

  it('a revoked key is refused', async () => {
    const created = await t.app.services.keys.create({ role: 'ops', name: 'short-lived' });
    await t.db.pool.query('UPDATE api_keys SET revoked_at = now() WHERE key_id = $1', [
      created.principal.keyId,
    ]);
    expect((await t.request('GET', '/v1/ops/markets', { key: created.key })).status).toBe(401);
  });

  it('stores keys hashed: the table never holds a key', async () => {
    const rows = await t.db.pool.query<Record<string, unknown>>('SELECT * FROM api_keys');
    const dump = JSON.stringify(rows.rows);
    for (const key of Object.values(t.keys)) expect(dump).not.toContain(key);
    expect(rows.rows.find((row) => row['user_id'] === 'alice')).toMatchObject({ role: 'trader' });
  });
});
