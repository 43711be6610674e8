import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { marketBuy, startTestApp, type TestApp } from '../../support/appHarness';

type Json = Record<string, unknown>;

/** Each one alone makes a valid body invalid. */
const invalidations: readonly ((body: Json) => Json)[] = [
  (body) => ({ ...body, clientOrderId: 'order-1' }),
  (body) => ({ ...body, clientOrderId: 12 }),
  (body) => ({ ...body, market: 'btc-eur' }),
  (body) => ({ ...body, market: '' }),
  (body) => ({ ...body, side: 'hold' }),
  (body) => ({ ...body, orderType: 'stop' }),
  (body) => ({ ...body, amountQuote: '-1' }),
  (body) => ({ ...body, amountQuote: '1e3' }),
  (body) => ({ ...body, amountQuote: '0' }),
  (body) => ({ ...body, amountQuote: 10 }),
  (body) => ({ ...body, amountQuote: '9'.repeat(40) }),
  (body) => ({ ...body, amount: '0.001' }),
  (body) => ({ ...body, price: '100' }),
  (body) => ({ ...body, orderType: 'limit' }),
  (body) => ({ ...body, expiresAt: '2025-13-40T00:00:00Z' }),
  (body) => ({ ...body, expiresAt: 1_700_000_000_000 }),
  (body) => ({ ...body, userId: 'bob' }),
  (body) => ({ ...body, userId: '../etc' }),
  (body) => ({ ...body, extra: true }),
  (body) => {
    const { side: _side, ...rest } = body;
    return rest;
  },
  (body) => {
    const { clientOrderId: _id, ...rest } = body;
    return rest;
  },
];

const printable = fc.string({ maxLength: 60 }).map((text) => text.replace(/[^\x20-\x7e]/g, 'x'));

/** A request whose body is invalid in at least one way, or not JSON at all, with random headers. */
const badRequest = fc.record({
  payload: fc.oneof(
    fc
      .tuple(fc.constant(null), fc.array(fc.nat(invalidations.length - 1), { minLength: 1, maxLength: 3 }))
      .map(([, picks]) =>
        JSON.stringify(picks.reduce((body, pick) => invalidations[pick]!(body), marketBuy())),
      ),
    fc.jsonValue().map((value) => JSON.stringify(value)),
    printable,
    fc.constant(''),
  ),
  contentType: fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/jsonx',
  ),
  authorization: fc.oneof(
    fc.constant('alice'),
    fc.constant('none'),
    printable.map((text) => `Bearer ${text}`),
    printable,
  ),
  requestId: fc.option(printable, { nil: undefined }),
});

/** Bad input over the API: only 4xx, never a 5xx, and nothing is appended to any stream. */
describe('bad input', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('fast-check generated bodies and headers → only 4xx and nothing appended', async () => {
    const eventsBefore = await t.eventCount();
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(badRequest, async (request) => {
        const authorization =
          request.authorization === 'alice'
            ? `Bearer ${t.keys.alice}`
            : request.authorization === 'none'
              ? undefined
              : request.authorization;
        const response = await t.app.server.inject({
          method: 'POST',
          url: '/v1/executions',
          headers: {
            'content-type': request.contentType,
            ...(authorization === undefined ? {} : { authorization }),
            ...(request.requestId === undefined ? {} : { 'x-request-id': request.requestId }),
          },
          payload: request.payload,
        });
        statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
        expect(response.statusCode, response.body).toBeGreaterThanOrEqual(400);
        expect(response.statusCode, response.body).toBeLessThan(500);
        const body = response.json<{ error: { code: string; message: string } }>();
        expect(typeof body.error.code).toBe('string');
        expect(typeof body.error.message).toBe('string');
      }),
      { numRuns: 400 },
    );
    expect(await t.eventCount()).toBe(eventsBefore);
    // The property exercised the body checks, not only the key check.
    expect(statuses.get(400) ?? 0).toBeGreaterThan(20);
    expect(statuses.get(401) ?? 0).toBeGreaterThan(20);
  });

  it('bad path parameters and bodies on the other routes are 4xx too', async () => {
    const executionEvents = async () =>
      Number(
        (
          await t.db.pool.query<{ n: string }>(
            "SELECT count(*) AS n FROM events WHERE stream_id LIKE 'execution-%'",
          )
        ).rows[0]?.n,
      );
    const before = await executionEvents();
    await fc.assert(
      fc.asyncProperty(printable, fc.jsonValue(), async (segment, body) => {
        const id = encodeURIComponent(segment);
        for (const [method, url] of [
          ['GET', `/v1/executions/${id}`],
          ['POST', `/v1/executions/${id}/reconcile`],
          ['PUT', '/v1/ops/kill-switch'],
          ['PUT', `/v1/ops/users/${id}/policy`],
          ['PUT', '/v1/ops/markets'],
        ] as const) {
          const response = await t.app.server.inject({
            method,
            url,
            headers: { authorization: `Bearer ${t.keys.ops}`, 'content-type': 'application/json' },
            ...(method === 'GET' ? {} : { payload: JSON.stringify(body) }),
          });
          // A random segment can be a valid user id, and a random body a valid change: those may pass.
          expect(response.statusCode, `${method} ${url}: ${response.body}`).toBeLessThan(500);
        }
      }),
      { numRuns: 100 },
    );
    expect(await executionEvents()).toBe(before);
  });
});
