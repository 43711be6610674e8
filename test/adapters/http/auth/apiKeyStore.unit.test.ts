import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { generateApiKey } from '../../../../src/adapters/http/auth/apiKeys';
import { ApiKeyStore } from '../../../../src/adapters/http/auth/apiKeyStore';

const ROW = { key_id: 'tl_racerace', role: 'ops', user_id: null, name: null };
const INFO_ROW = { ...ROW, created_at: new Date(0), revoked_at: new Date(1_000) };

/** A pool whose verification queries wait until the test releases them. */
function fakePool() {
  const pending: (() => void)[] = [];
  let verifyQueries = 0;
  const pool = {
    options: {},
    query(config: string | { name?: string }) {
      if (typeof config === 'object' && config.name === 'ledger_verify_api_key') {
        verifyQueries += 1;
        return new Promise((resolve) => pending.push(() => resolve({ rows: [ROW] })));
      }
      return Promise.resolve({ rows: [INFO_ROW] });
    },
  };
  return {
    pool: pool as unknown as pg.Pool,
    releaseAll: () => pending.splice(0).forEach((release) => release()),
    verifyQueries: () => verifyQueries,
  };
}

describe('ApiKeyStore cache', () => {
  it('caches a verification (no second query within the TTL)', async () => {
    const fake = fakePool();
    const store = new ApiKeyStore(fake.pool, { unwatchedCacheTtlMs: 60_000, cacheTtlMs: 60_000 });
    const key = generateApiKey();
    const first = store.verify(key);
    fake.releaseAll();
    expect(await first).toMatchObject({ keyId: ROW.key_id });
    expect(await store.verify(key)).toMatchObject({ keyId: ROW.key_id });
    expect(fake.verifyQueries()).toBe(1);
  });

  it('does not cache a lookup that raced with a revocation (its answer may predate it)', async () => {
    const fake = fakePool();
    const store = new ApiKeyStore(fake.pool, { unwatchedCacheTtlMs: 60_000, cacheTtlMs: 60_000 });
    const key = generateApiKey();
    const racing = store.verify(key);
    await store.revoke(ROW.key_id);
    fake.releaseAll();
    await racing;
    const next = store.verify(key);
    fake.releaseAll();
    await next;
    expect(fake.verifyQueries()).toBe(2);
  });

  it('never trusts the cache longer than the watched TTL, even if the unwatched one is set higher', async () => {
    const fake = fakePool();
    let nowMs = 0;
    const store = new ApiKeyStore(fake.pool, {
      cacheTtlMs: 500,
      unwatchedCacheTtlMs: 60_000,
      nowMs: () => nowMs,
    });
    const key = generateApiKey();
    const first = store.verify(key);
    fake.releaseAll();
    await first;
    nowMs = 600;
    const second = store.verify(key);
    fake.releaseAll();
    await second;
    expect(fake.verifyQueries()).toBe(2);
  });
});
