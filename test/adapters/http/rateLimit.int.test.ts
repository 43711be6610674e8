import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../support/appHarness';

/** Per-key request limits: one client cannot starve the others. */
describe('API rate limit', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { API_RATE_LIMIT_PER_MIN: '5' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers 429 RATE_LIMITED past the limit of one key, while other keys and health checks go on', async () => {
    for (let n = 0; n < 5; n++)
      expect((await t.request('GET', '/v1/ops/markets', { key: t.keys.ops })).status).toBe(200);
    const limited = await t.request('GET', '/v1/ops/markets', { key: t.keys.ops });
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({
      error: { code: 'RATE_LIMITED', message: expect.stringContaining('5 requests per minute') },
    });
    const other = await t.request('GET', `/v1/executions/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`, {
      key: t.keys.alice,
    });
    expect(other.status).toBe(404);
    for (let n = 0; n < 10; n++) expect((await t.request('GET', '/healthz')).status).toBe(200);
  });

  it("a forged key that shares a key's public id does not use up that key's budget", async () => {
    // The key id (prefix and 8 characters) is public: it is logged and recorded as the actor. A
    // caller who knows it but not the key must not be able to starve the real key with 401s.
    const forged = `${t.keys.bob.slice(0, 11)}${'A'.repeat(t.keys.bob.length - 11)}`;
    expect(forged).not.toBe(t.keys.bob);
    for (let n = 0; n < 6; n++)
      expect((await t.request('GET', '/v1/executions', { key: forged })).status).not.toBe(200);
    const real = await t.request('GET', '/v1/ops/kill-switch', { key: t.keys.bob });
    expect(real.status, JSON.stringify(real.body)).toBe(403);
  });
});
