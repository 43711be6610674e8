import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  API_KEY_REVOCATION_CHANNEL,
  LISTENER_APPLICATION_NAME,
} from '../../../../src/adapters/http/auth/apiKeyRevocationListener';
import {
  ApiKeyAlreadyRevoked,
  ApiKeyNotFound,
  ApiKeyStore,
} from '../../../../src/adapters/http/auth/apiKeyStore';
import { createTestDatabase, type TestDatabase } from '../../../support/testDatabase';

let db: TestDatabase;
/** Another pool on the same database: what the CLI or another server instance would use. */
let otherPool: pg.Pool;
let other: ApiKeyStore;

beforeAll(async () => {
  db = await createTestDatabase({ poolMax: 6 });
  otherPool = new pg.Pool({ connectionString: db.connectionString, max: 2 });
  other = new ApiKeyStore(otherPool);
});

afterAll(async () => {
  await otherPool?.end();
  await db?.drop();
});

async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function listenerBackends(): Promise<number[]> {
  const result = await db.pool.query<{ pid: number }>(
    'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1',
    [LISTENER_APPLICATION_NAME],
  );
  return result.rows.map((row) => row.pid);
}

/** Kills the listener's connection from the server side (as a database restart or a proxy would). */
async function killListeners(): Promise<void> {
  await db.pool.query(
    'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1',
    [LISTENER_APPLICATION_NAME],
  );
}

/** Revokes behind every store's back: no NOTIFY, as if the notification had been lost. */
async function revokeSilently(keyId: string): Promise<void> {
  await otherPool.query('UPDATE api_keys SET revoked_at = now() WHERE key_id = $1', [keyId]);
}

describe('ApiKeyStore.list', () => {
  it('shows ids and metadata, newest first, never a key or a hash', async () => {
    const ops = await other.create({ role: 'ops', name: 'list-ops' });
    const trader = await other.create({ role: 'trader', userId: 'list-user' });
    await other.revoke(ops.principal.keyId);
    const keys = await other.list();
    const byId = new Map(keys.map((key) => [key.keyId, key]));
    expect(byId.get(trader.principal.keyId)).toEqual({
      keyId: trader.principal.keyId,
      role: 'trader',
      userId: 'list-user',
      name: null,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      revokedAt: null,
    });
    expect(byId.get(ops.principal.keyId)).toMatchObject({
      role: 'ops',
      userId: null,
      name: 'list-ops',
      revokedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    const createdAt = keys.map((key) => key.createdAt);
    expect(createdAt).toEqual([...createdAt].sort().reverse());
    const hashes = await db.pool.query<{ key_hash: string }>('SELECT key_hash FROM api_keys');
    const dump = JSON.stringify(keys);
    for (const row of hashes.rows) expect(dump).not.toContain(row.key_hash);
    for (const created of [ops, trader]) expect(dump).not.toContain(created.key);
    expect(Object.keys(keys[0]!).sort()).toEqual(
      ['createdAt', 'keyId', 'name', 'revokedAt', 'role', 'userId'].sort(),
    );
    expect(await other.list({ limit: 1 })).toHaveLength(1);
  });
});

describe('ApiKeyStore.revoke', () => {
  it('revokes once and notifies in the same transaction; unknown and repeated revocations are errors', async () => {
    const listener = new pg.Client({ connectionString: db.connectionString });
    await listener.connect();
    const payloads: string[] = [];
    listener.on('notification', (message) => payloads.push(message.payload ?? ''));
    await listener.query(`LISTEN ${API_KEY_REVOCATION_CHANNEL}`);
    try {
      const created = await other.create({ role: 'trader', userId: 'revoke-user', name: 'desk 1' });
      expect(await other.verify(created.key)).not.toBeNull();

      const revoked = await other.revoke(created.principal.keyId);
      expect(revoked).toMatchObject({
        keyId: created.principal.keyId,
        userId: 'revoke-user',
        name: 'desk 1',
      });
      expect(revoked.revokedAt).not.toBeNull();
      // The revoking store's own cache was cleared directly (its TTL would still trust the key).
      expect(await other.verify(created.key)).toBeNull();
      await waitFor(() => payloads.length === 1, 'the notification');
      expect(payloads).toEqual([created.principal.keyId]);

      const again = await other.revoke(created.principal.keyId).catch((error: unknown) => error);
      expect(again).toBeInstanceOf(ApiKeyAlreadyRevoked);
      expect(again).toMatchObject({ code: 'API_KEY_ALREADY_REVOKED', httpStatus: 409 });
      expect((again as ApiKeyAlreadyRevoked).key.revokedAt).toBe(revoked.revokedAt);

      const unknown = await other.revoke('tl_nosuchky').catch((error: unknown) => error);
      expect(unknown).toBeInstanceOf(ApiKeyNotFound);
      expect(unknown).toMatchObject({ code: 'API_KEY_NOT_FOUND', httpStatus: 404 });

      // A whole key passed by mistake is never echoed back.
      const wholeKey = `tl_${'Z'.repeat(32)}`;
      const error = (await other.revoke(wholeKey).catch((failure: unknown) => failure)) as Error;
      expect(error.message).not.toContain(wholeKey);
      expect(error.message).toContain('tl_ZZZZZZZZ…');

      // Neither failed revocation notified anyone.
      await listener.query('SELECT 1');
      expect(payloads).toHaveLength(1);
    } finally {
      await listener.end();
    }
  });
});

describe('ApiKeyStore revocation watch', () => {
  it('a key revoked by another store on another pool is refused at once, though its verification is cached', async () => {
    const store = new ApiKeyStore(db.pool, { cacheTtlMs: 60_000 });
    await store.watchRevocations();
    try {
      expect(store.watchingRevocations).toBe(true);
      const created = await other.create({ role: 'ops', name: 'leaked' });
      const control = await other.create({ role: 'ops', name: 'control' });
      expect(await store.verify(created.key)).not.toBeNull();
      expect(await store.verify(control.key)).not.toBeNull();

      // Without a notification the cache is trusted for the full TTL (this is what NOTIFY must beat).
      await revokeSilently(control.principal.keyId);
      expect(await store.verify(control.key)).not.toBeNull();

      const before = store.cacheInvalidations;
      await other.revoke(created.principal.keyId);
      await waitFor(() => store.cacheInvalidations > before, 'the revocation notice', 2_000);
      expect(await store.verify(created.key)).toBeNull();
      expect(await store.verify(control.key)).toBeNull();
    } finally {
      await store.close();
    }
  });

  it('trusts its cache only briefly while the listener is down, and drops what it cached when it goes down', async () => {
    let nowMs = 1_000_000;
    const store = new ApiKeyStore(db.pool, {
      cacheTtlMs: 60_000,
      unwatchedCacheTtlMs: 1_000,
      nowMs: () => nowMs,
    });
    // A long reconnect delay keeps the listener down once it is killed.
    await store.watchRevocations({ reconnectMinDelayMs: 60_000, heartbeatIntervalMs: 60_000 });
    try {
      const cachedLong = await other.create({ role: 'ops', name: 'cached-while-up' });
      expect(await store.verify(cachedLong.key)).not.toBeNull();

      await killListeners();
      await waitFor(() => !store.watchingRevocations, 'the listener to notice the drop');
      // Cached for 60 s while the listener was up; the drop forgot it, so a missed revocation shows.
      await revokeSilently(cachedLong.principal.keyId);
      expect(await store.verify(cachedLong.key)).toBeNull();

      const cachedShort = await other.create({ role: 'ops', name: 'cached-while-down' });
      expect(await store.verify(cachedShort.key)).not.toBeNull();
      await revokeSilently(cachedShort.principal.keyId);
      nowMs += 900;
      // Still cached within the short TTL (so the cache does work while down)...
      expect(await store.verify(cachedShort.key)).not.toBeNull();
      nowMs += 200;
      // ...and no longer than it: a missed revocation waits at most 1 s, never 60.
      expect(await store.verify(cachedShort.key)).toBeNull();
    } finally {
      await store.close();
    }
  });

  it('reconnects after its connection is killed, and revocations reach it again', async () => {
    const store = new ApiKeyStore(db.pool, { cacheTtlMs: 60_000 });
    await store.watchRevocations({ reconnectMinDelayMs: 20, reconnectMaxDelayMs: 100 });
    try {
      const [firstPid] = await listenerBackends();
      await killListeners();
      await waitFor(async () => {
        const pids = await listenerBackends();
        return store.watchingRevocations && pids.length === 1 && pids[0] !== firstPid;
      }, 'a new listener connection');

      const created = await other.create({ role: 'trader', userId: 'reconnected' });
      expect(await store.verify(created.key)).not.toBeNull();
      const before = store.cacheInvalidations;
      await other.revoke(created.principal.keyId);
      await waitFor(() => store.cacheInvalidations > before, 'the revocation notice', 2_000);
      expect(await store.verify(created.key)).toBeNull();
    } finally {
      await store.close();
    }
  });

  it('keeps retrying with backoff while the database refuses it, without a connection left behind on close', async () => {
    // A pool whose config points nowhere: only the listener uses it.
    const unreachable = new pg.Pool({ connectionString: 'postgres://nobody@127.0.0.1:1/none' });
    const store = new ApiKeyStore(unreachable, { cacheTtlMs: 60_000 });
    const attempts: string[] = [];
    await store.watchRevocations({
      reconnectMinDelayMs: 10,
      reconnectMaxDelayMs: 40,
      maxReconnectAttemptsInRow: 5,
      logger: {
        info() {},
        warn: (_, message) => attempts.push(message),
        error: (_, message) => attempts.push(message),
      },
    });
    expect(store.watchingRevocations).toBe(false);
    await waitFor(() => attempts.some((line) => line.includes('gave up')), 'the listener to give up');
    expect(attempts.filter((line) => line.includes('cannot connect'))).toHaveLength(5);
    const startedMs = Date.now();
    await store.close();
    expect(Date.now() - startedMs).toBeLessThan(1_000);
    await unreachable.end();
  });

  it('close() stops the listener connection', async () => {
    const store = new ApiKeyStore(db.pool);
    await store.watchRevocations();
    expect(await listenerBackends()).toHaveLength(1);
    await store.close();
    expect(store.watchingRevocations).toBe(false);
    await waitFor(async () => (await listenerBackends()).length === 0, 'the listener backend to end');
  });
});
