import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '../../../src/adapters/postgres/embeddedPostgres';
import { createTestDatabase, type TestDatabase } from '../../support/testDatabase';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

describe('embedded PostgreSQL settings', () => {
  it('ends a session left idle inside a transaction after 60 s (it would stall every projection)', async () => {
    const result = await database.pool.query<{ idle_in_transaction_session_timeout: string }>(
      'SHOW idle_in_transaction_session_timeout',
    );
    expect(result.rows[0]?.idle_in_transaction_session_timeout).toBe('1min');
  });

  it('runs the tests without fsync (a throwaway cluster), never the service', async () => {
    const result = await database.pool.query<{ fsync: string }>('SHOW fsync');
    expect(result.rows[0]?.fsync).toBe('off');
  });
});

describe('embedded PostgreSQL kept outside a private data dir (as root)', () => {
  it.skipIf(process.getuid?.() !== 0)(
    'keeps the password with the database, so a new clone at the same path logs in to it; without it, a clear error',
    async () => {
      // A clone under a private directory (like /root): the database goes to /var/lib/trade-ledger.
      const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-private-'));
      fs.chmodSync(home, 0o700);
      const ledgerDir = path.join(home, 'clone', '.ledger');
      const kept = path.join(
        '/var/lib/trade-ledger',
        createHash('sha256').update(ledgerDir).digest('hex').slice(0, 16),
      );
      try {
        const first = await startEmbeddedPostgres({ ledgerDataDir: ledgerDir });
        await first.stop();
        expect(fs.existsSync(path.join(kept, 'pg', 'PG_VERSION'))).toBe(true);
        expect(fs.existsSync(path.join(kept, 'pg-password'))).toBe(true);

        // The clone is deleted and made again at the same path: its .ledger is new.
        fs.rmSync(path.join(home, 'clone'), { recursive: true, force: true });
        const again = await startEmbeddedPostgres({ ledgerDataDir: ledgerDir });
        try {
          expect(again.ownsServer).toBe(true);
        } finally {
          await again.stop();
        }

        fs.rmSync(path.join(kept, 'pg-password'));
        fs.rmSync(path.join(home, 'clone'), { recursive: true, force: true });
        await expect(startEmbeddedPostgres({ ledgerDataDir: ledgerDir })).rejects.toThrow(
          /no password file next to it/,
        );
      } finally {
        fs.rmSync(kept, { recursive: true, force: true });
        fs.rmSync(home, { recursive: true, force: true });
      }
    },
    120_000,
  );
});
