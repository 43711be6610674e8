import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { marketBuy, startTestApp, type TestApp } from '../../../support/appHarness';

let t: TestApp;
const submitted: Record<string, string[]> = { alice: [], bob: [] };

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting for the read model');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  // listen: the background services (the projections among them) start with the server.
  t = await startTestApp({ listen: true });
  for (const [user, key] of [
    ['alice', t.keys.alice],
    ['bob', t.keys.bob],
  ] as const) {
    for (let n = 0; n < (user === 'alice' ? 5 : 3); n++) {
      const body = marketBuy({ amountQuote: '10', market: n % 2 === 0 ? 'BTC-EUR' : 'ETH-EUR' });
      const answer = await t.request('POST', '/v1/executions', { key, body });
      expect(answer.status).toBe(201);
      submitted[user]!.push(body['clientOrderId'] as string);
    }
  }
  // The projection follows the stream: wait until it has applied everything.
  await waitFor(async () => {
    const stats = await t.request('GET', '/v1/ops/stats', { key: t.keys.ops });
    const projections = stats.body['projections'] as { name: string; lagEvents: number }[];
    const listed = await t.request('GET', '/v1/executions?limit=100', { key: t.keys.ops });
    const count = (listed.body['executions'] as unknown[]).length;
    return projections.every((item) => item.lagEvents === 0) && count === 8 ? true : undefined;
  });
}, 120_000);

afterAll(async () => {
  await t?.close();
});

type Listed = { clientOrderId: string; userId: string; market: string; status: string; createdAt: string };

describe('GET /v1/executions (read model)', () => {
  it('a trader sees only its own executions; asking for another user is 403', async () => {
    const mine = await t.request('GET', '/v1/executions', { key: t.keys.alice });
    expect(mine.status).toBe(200);
    const rows = mine.body['executions'] as Listed[];
    expect(rows.map((row) => row.clientOrderId).sort()).toEqual([...submitted['alice']!].sort());
    expect(rows.every((row) => row.userId === 'alice' && row.status === 'FILLED')).toBe(true);
    const theirs = await t.request('GET', '/v1/executions?userId=bob', { key: t.keys.alice });
    expect(theirs.status).toBe(403);
  });

  it('ops sees everyone, and filters by user, market and status', async () => {
    const all = await t.request('GET', '/v1/executions', { key: t.keys.ops });
    expect((all.body['executions'] as Listed[]).length).toBe(8);
    const bob = await t.request('GET', '/v1/executions?userId=bob', { key: t.keys.ops });
    expect((bob.body['executions'] as Listed[]).map((row) => row.userId)).toEqual(['bob', 'bob', 'bob']);
    const eth = await t.request('GET', '/v1/executions?market=ETH-EUR', { key: t.keys.ops });
    expect((eth.body['executions'] as Listed[]).every((row) => row.market === 'ETH-EUR')).toBe(true);
    expect((eth.body['executions'] as Listed[]).length).toBe(3);
    const filled = await t.request('GET', '/v1/executions?status=filled,SUBMITTED', { key: t.keys.ops });
    expect((filled.body['executions'] as Listed[]).length).toBe(8);
    const none = await t.request('GET', '/v1/executions?status=SUBMITTING', { key: t.keys.ops });
    expect(none.body).toEqual({ executions: [], nextCursor: null });
  });

  it('paginates newest first with a cursor, without repeating or skipping a row', async () => {
    const seen: Listed[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page++) {
      const url: string = `/v1/executions?limit=3${cursor ? `&cursor=${cursor}` : ''}`;
      const answer = await t.request('GET', url, { key: t.keys.ops });
      expect(answer.status).toBe(200);
      const rows = answer.body['executions'] as Listed[];
      expect(rows.length).toBeLessThanOrEqual(3);
      seen.push(...rows);
      cursor = answer.body['nextCursor'] as string | null;
      if (cursor === null) break;
    }
    expect(seen.length).toBe(8);
    expect(new Set(seen.map((row) => row.clientOrderId)).size).toBe(8);
    const keys = seen.map((row) => `${row.createdAt}|${row.clientOrderId}`);
    expect(keys).toEqual([...keys].sort().reverse());
  });

  it('refuses a bad cursor, an unknown status and a missing key', async () => {
    const cursor = await t.request('GET', '/v1/executions?cursor=bm9wZQ', { key: t.keys.ops });
    expect(cursor.status).toBe(400);
    expect((cursor.body['error'] as { code: string }).code).toBe('INVALID_CURSOR');
    // Forged cursors that decode to text PostgreSQL cannot compare (a date it does not accept, a NUL
    // byte) were 500s; a cursor this API did not return is a 400, whatever is inside it.
    const forge = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
    const uuid = '00000000-0000-4000-8000-000000000000';
    for (const forged of [
      forge(['1 2', uuid]),
      forge(['2020', uuid]),
      forge(['2020-02-30T00:00:00.000000Z', uuid]),
      forge(['-000001-01-01T00:00:00Z', uuid]),
      forge(['Tue Mar 01 2022 10:00:00 GMT+0100', uuid]),
      forge(['2020-01-01T00:00:00.000000Z', 'a\u0000b']),
      forge(['2020-01-01T00:00:00.000000Z', 'not-a-uuid']),
    ]) {
      for (const key of [t.keys.ops, t.keys.alice]) {
        const answer = await t.request('GET', `/v1/executions?cursor=${forged}`, { key });
        expect(answer.status, JSON.stringify(answer.body)).toBe(400);
        expect((answer.body['error'] as { code: string }).code).toBe('INVALID_CURSOR');
      }
    }
    const status = await t.request('GET', '/v1/executions?status=DONE', { key: t.keys.ops });
    expect(status.status).toBe(400);
    expect((await t.request('GET', '/v1/executions')).status).toBe(401);
  });
});

describe('GET /v1/ops/stats', () => {
  it('gives ops the last 24 hours, the stored snapshot and the projection lag; traders get 403', async () => {
    await t.db.pool.query('SELECT refresh_execution_stats_24h()');
    const answer = await t.request('GET', '/v1/ops/stats', { key: t.keys.ops });
    expect(answer.status).toBe(200);
    expect(answer.body['last24h']).toMatchObject({
      totalExecutions: 8,
      submitted: 8,
      filled: 8,
      rejected: 0,
      recoveryRatePct: '0.00',
    });
    expect(answer.body['latestStored']).toMatchObject({ totalExecutions: 8 });
    expect(answer.body['users']).toEqual({ users: 2, executionsPastGates: 8, successful: 8, reconciled: 0 });
    expect((answer.body['projections'] as { name: string }[]).map((item) => item.name)).toEqual([
      'executions',
      'user_policies',
    ]);
    expect((await t.request('GET', '/v1/ops/stats', { key: t.keys.alice })).status).toBe(403);
  });
});
