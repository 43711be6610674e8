import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyStore } from '../../../src/adapters/http/auth/apiKeyStore';
import { createTestDatabase, type TestDatabase } from '../../support/testDatabase';
import { runLedger } from './support/runLedger';

let database: TestDatabase;
let env: Record<string, string>;

beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 2 });
  env = { DATABASE_URL: database.connectionString };
});

afterAll(async () => {
  await database?.drop();
});

async function createKey(args: readonly string[]): Promise<{ keyId: string; key: string }> {
  const created = await runLedger(['keys', 'create', ...args], env);
  expect(created.code, created.stderr).toBe(0);
  const lines = created.stdout.trim().split('\n');
  const key = lines.at(-1)!;
  return { key, keyId: key.slice(0, 11) };
}

async function allHashes(): Promise<string[]> {
  const result = await database.pool.query<{ key_hash: string }>('SELECT key_hash FROM api_keys');
  return result.rows.map((row) => row.key_hash);
}

describe('ledger keys list / revoke', () => {
  it('lists keys as a table and as JSON, never a key or a hash', async () => {
    const ops = await createKey(['--role', 'ops', '--name', 'night desk']);
    const trader = await createKey(['--role', 'trader', '--user', 'carol']);

    const table = await runLedger(['keys', 'list'], env);
    expect(table.code, table.stderr).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^KEY ID\s+ROLE\s+USER\s+NAME\s+CREATED\s+REVOKED$/);
    const opsLine = lines.find((line) => line.startsWith(ops.keyId));
    expect(opsLine).toMatch(/ops\s+-\s+night desk\s+\d{4}-\d\d-\d\dT\S+\s+-$/);
    expect(lines.find((line) => line.startsWith(trader.keyId))).toMatch(/trader\s+carol\s+-\s+\d{4}-/);

    const json = await runLedger(['keys', 'list', '--json'], env);
    expect(json.code, json.stderr).toBe(0);
    const listed = (JSON.parse(json.stdout) as { keys: Record<string, unknown>[] }).keys;
    expect(listed.find((key) => key['keyId'] === trader.keyId)).toEqual({
      keyId: trader.keyId,
      role: 'trader',
      userId: 'carol',
      name: null,
      createdAt: expect.any(String),
      revokedAt: null,
    });

    const output = table.stdout + table.stderr + json.stdout + json.stderr;
    for (const secret of [ops.key, trader.key, ...(await allHashes())]) expect(output).not.toContain(secret);
  });

  it('revokes a key (a running store refuses it), then exit 1 when repeated or unknown', async () => {
    const victim = await createKey(['--role', 'trader', '--user', 'dave', '--name', 'leaked laptop']);
    const store = new ApiKeyStore(database.pool, { cacheTtlMs: 60_000 });
    await store.watchRevocations();
    try {
      expect(await store.verify(victim.key)).not.toBeNull();

      const before = store.cacheInvalidations;
      const revoked = await runLedger(['keys', 'revoke', victim.keyId], env);
      expect(revoked.code, revoked.stderr).toBe(0);
      expect(revoked.stdout).toMatch(
        new RegExp(`^revoked trader key ${victim.keyId} for user dave \\(leaked laptop\\) at \\d{4}-`),
      );
      // The NOTIFY from the CLI process reaches this (watching) store, which forgets its cached answer.
      const deadline = Date.now() + 2_000;
      while (store.cacheInvalidations === before && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      expect(store.cacheInvalidations).toBeGreaterThan(before);
      expect(await store.verify(victim.key)).toBeNull();
    } finally {
      await store.close();
    }

    const listed = await runLedger(['keys', 'list', '--json'], env);
    const row = (JSON.parse(listed.stdout) as { keys: Record<string, unknown>[] }).keys.find(
      (key) => key['keyId'] === victim.keyId,
    );
    expect(row?.['revokedAt']).toEqual(expect.any(String));

    const again = await runLedger(['keys', 'revoke', victim.keyId], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(
      `API key ${victim.keyId} was already revoked at ${String(row?.['revokedAt'])}`,
    );

    const unknown = await runLedger(['keys', 'revoke', 'tl_nosuchky'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no API key tl_nosuchky');
    expect(unknown.stdout).toBe('');
  });

  it('given a whole key, revokes its id and never prints the key', async () => {
    const victim = await createKey(['--role', 'ops']);
    const revoked = await runLedger(['keys', 'revoke', victim.key], env);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toContain(`revoked ops key ${victim.keyId}`);
    expect(revoked.stdout + revoked.stderr).not.toContain(victim.key);
  });

  it('a whole key pasted with surrounding blanks is still revoked by its id, and never echoed', async () => {
    const victim = await createKey(['--role', 'ops']);
    const secretPart = victim.key.slice(11);
    const revoked = await runLedger(['keys', 'revoke', ` ${victim.key}\n`], env);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toContain(`revoked ops key ${victim.keyId}`);
    expect(revoked.stdout + revoked.stderr).not.toContain(secretPart);
  });

  it('neither a key id nor a whole key (e.g. a key cut short): usage error, nothing of it echoed', async () => {
    const victim = await createKey(['--role', 'ops']);
    const cutShort = victim.key.slice(0, -1);
    const refused = await runLedger(['keys', 'revoke', cutShort], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('not a key id');
    expect(refused.stdout + refused.stderr).not.toContain(cutShort.slice(11));
    const listed = await runLedger(['keys', 'list', '--json'], env);
    const row = (JSON.parse(listed.stdout) as { keys: Record<string, unknown>[] }).keys.find(
      (key) => key['keyId'] === victim.keyId,
    );
    expect(row?.['revokedAt']).toBeNull();
  });

  it('refuses a --limit that is empty or an exponent (usage error)', async () => {
    for (const limit of ['', '1e3', '0', '2.5']) {
      const listed = await runLedger(['keys', 'list', '--limit', limit], env);
      expect({ limit, code: listed.code }).toEqual({ limit, code: 2 });
    }
  });
});
