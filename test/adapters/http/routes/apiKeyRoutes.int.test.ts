import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LISTENER_APPLICATION_NAME } from '../../../../src/adapters/http/auth/apiKeyRevocationListener';
import { ApiKeyStore } from '../../../../src/adapters/http/auth/apiKeyStore';
import { startTestApp, type TestApp } from '../../../support/appHarness';

let t: TestApp;
/** Another pool and store on the same database: what `ledger keys revoke` uses. */
let cliPool: pg.Pool;
let cli: ApiKeyStore;

beforeAll(async () => {
  t = await startTestApp({ listen: true });
  cliPool = new pg.Pool({ connectionString: t.db.connectionString, max: 2 });
  cli = new ApiKeyStore(cliPool);
});

afterAll(async () => {
  await cliPool?.end();
  await t?.close();
});

/** A real HTTP request to the running server. */
async function get(path: string, key: string): Promise<number> {
  const response = await fetch(`${t.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
  await response.arrayBuffer();
  return response.status;
}

describe('revocation through a running app', () => {
  it('a key revoked from another process is refused as soon as its NOTIFY arrives, though it was just cached', async () => {
    expect(t.app.services.keys.watchingRevocations).toBe(true);
    const latenciesMs: number[] = [];
    // Several rounds: the notification must arrive every time, not by luck.
    for (let round = 0; round < 5; round++) {
      const leaked = await cli.create({ role: 'trader', userId: 'alice', name: `leaked-${round}` });
      const control = await cli.create({ role: 'trader', userId: 'alice', name: `control-${round}` });
      expect(await get('/v1/executions', leaked.key)).toBe(200);
      expect(await get('/v1/executions', control.key)).toBe(200);
      // Revoked without NOTIFY: the server's cache keeps accepting it (so only the NOTIFY path can
      // make the leaked key fail below).
      await cliPool.query('UPDATE api_keys SET revoked_at = now() WHERE key_id = $1', [
        control.principal.keyId,
      ]);
      expect(await get('/v1/executions', control.key)).toBe(200);

      const serverKeys = t.app.services.keys;
      const before = serverKeys.cacheInvalidations;
      await cli.revoke(leaked.principal.keyId);
      // NOTIFY is delivered a moment after the revoking commit returns (another backend forwards it):
      // wait for it, bounded far below the 10 s cache TTL, then the very next request is refused.
      const revokedMs = performance.now();
      while (serverKeys.cacheInvalidations === before && performance.now() - revokedMs < 1_000) {
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      latenciesMs.push(performance.now() - revokedMs);
      expect(await get('/v1/executions', leaked.key)).toBe(401);
    }
    expect(Math.max(...latenciesMs)).toBeLessThan(1_000);
  });
});

describe('GET /v1/ops/keys', () => {
  it('lists ids and metadata, never a key or a hash', async () => {
    const response = await t.request('GET', '/v1/ops/keys', { key: t.keys.ops });
    expect(response.status).toBe(200);
    const keys = response.body['keys'] as Record<string, unknown>[];
    expect(keys.find((key) => key['name'] === 'test-ops')).toMatchObject({
      role: 'ops',
      userId: null,
      revokedAt: null,
      createdAt: expect.any(String),
    });
    expect(keys.filter((key) => key['userId'] === 'alice').length).toBeGreaterThanOrEqual(1);
    const dump = JSON.stringify(response.body);
    for (const key of Object.values(t.keys)) expect(dump).not.toContain(key);
    const hashes = await t.db.pool.query<{ key_hash: string }>('SELECT key_hash FROM api_keys');
    for (const row of hashes.rows) expect(dump).not.toContain(row.key_hash);
    expect(
      ((await t.request('GET', '/v1/ops/keys?limit=2', { key: t.keys.ops })).body['keys'] as unknown[])
        .length,
    ).toBe(2);
    expect((await t.request('GET', '/v1/ops/keys?limit=0', { key: t.keys.ops })).status).toBe(400);
  });
});

describe('DELETE /v1/ops/keys/:keyId', () => {
  it('revokes (the key is refused at once), then 409 when repeated, 404 for an unknown id', async () => {
    const victim = await t.app.services.keys.create({ role: 'trader', userId: 'bob', name: 'victim' });
    expect(await get('/v1/executions', victim.key)).toBe(200);
    const revoked = await t.request('DELETE', `/v1/ops/keys/${victim.principal.keyId}`, { key: t.keys.ops });
    expect(revoked.status).toBe(200);
    expect(revoked.body['revoked']).toMatchObject({
      keyId: victim.principal.keyId,
      userId: 'bob',
      name: 'victim',
      revokedAt: expect.any(String),
    });
    expect(await get('/v1/executions', victim.key)).toBe(401);

    const again = await t.request('DELETE', `/v1/ops/keys/${victim.principal.keyId}`, { key: t.keys.ops });
    expect(again.status).toBe(409);
    expect(again.body['error']).toMatchObject({ code: 'API_KEY_ALREADY_REVOKED' });

    const unknown = await t.request('DELETE', '/v1/ops/keys/tl_nosuchky', { key: t.keys.ops });
    expect(unknown.status).toBe(404);
    expect(unknown.body['error']).toMatchObject({ code: 'API_KEY_NOT_FOUND' });
  });

  it("refuses to revoke the caller's own key (409) and a whole key in the path (400, not echoed)", async () => {
    const opsKeyId = t.keys.ops.slice(0, 11);
    const own = await t.request('DELETE', `/v1/ops/keys/${opsKeyId}`, { key: t.keys.ops });
    expect(own.status).toBe(409);
    expect(own.body['error']).toMatchObject({ code: 'CANNOT_REVOKE_OWN_KEY' });
    expect(await get('/v1/ops/keys', t.keys.ops)).toBe(200);

    const whole = await t.request('DELETE', `/v1/ops/keys/${t.keys.bob}`, { key: t.keys.ops });
    expect(whole.status).toBe(400);
    expect(JSON.stringify(whole.body)).not.toContain(t.keys.bob);
    expect(await get('/v1/executions', t.keys.bob)).toBe(200);
  });
});

describe('shutdown', () => {
  it('app.stop() closes the revocation listener promptly', async () => {
    const extra = await startTestApp();
    const listeners = () =>
      extra.db.pool
        .query<{ n: string }>(
          'SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1',
          [LISTENER_APPLICATION_NAME],
        )
        .then((result) => Number(result.rows[0]?.n));
    try {
      expect(await listeners()).toBe(1);
      const startedMs = Date.now();
      await extra.app.stop();
      expect(Date.now() - startedMs).toBeLessThan(5_000);
      // The harness's pool outlives the app (the app does not own it): it can still look.
      const deadline = Date.now() + 5_000;
      while ((await listeners()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(await listeners()).toBe(0);
    } finally {
      await extra.close();
    }
  });
});
