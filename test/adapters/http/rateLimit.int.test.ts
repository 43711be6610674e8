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
});
