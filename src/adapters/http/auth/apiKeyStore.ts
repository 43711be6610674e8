import type pg from 'pg';
import { orUnavailable } from '../../../application/errors';
import { apiKeyId, generateApiKey, hashApiKey, isWellFormedApiKey } from './apiKeys';
import type { Principal, Role } from './principal';

export interface CreateApiKey {
  readonly role: Role;
  /** Required for a trader key, absent for an ops key. */
  readonly userId?: string;
  readonly name?: string;
}

export interface CreatedApiKey {
  /** The key itself: shown once, never stored. */
  readonly key: string;
  readonly principal: Principal;
}

export interface ApiKeyStoreOptions {
  /** How long a verified key is trusted without asking the database again (a revoke waits this long). */
  readonly cacheTtlMs?: number;
  readonly cacheMaxEntries?: number;
  readonly nowMs?: () => number;
}

interface CacheEntry {
  readonly principal: Principal | null;
  readonly expiresAtMs: number;
}

const DEFAULT_CACHE_TTL_MS = 10_000;
/** Unknown keys are remembered briefly too, so that a flood of bad keys does not hammer the database. */
const NEGATIVE_CACHE_TTL_MS = 1_000;
const DEFAULT_CACHE_MAX = 10_000;

export class InvalidApiKeyRequest extends Error {
  override readonly name = 'InvalidApiKeyRequest';
}

interface KeyRow {
  key_id: string;
  role: Role;
  user_id: string | null;
  name: string | null;
}

const toPrincipal = (row: KeyRow): Principal => ({
  keyId: row.key_id,
  role: row.role,
  userId: row.user_id,
  name: row.name,
});

/** API keys in PostgreSQL (`api_keys`, hashed), with a small in-memory cache of verified keys. */
export class ApiKeyStore {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly cacheTtlMs: number;
  private readonly cacheMax: number;
  private readonly nowMs: () => number;

  constructor(
    private readonly pool: pg.Pool,
    options: ApiKeyStoreOptions = {},
  ) {
    this.cacheTtlMs = options.cacheTtlMs ?? DEFAULT_CACHE_TTL_MS;
    this.cacheMax = options.cacheMaxEntries ?? DEFAULT_CACHE_MAX;
    this.nowMs = options.nowMs ?? (() => Date.now());
  }

  async create(request: CreateApiKey): Promise<CreatedApiKey> {
    if (request.role === 'trader' && !request.userId)
      throw new InvalidApiKeyRequest('a trader key needs a user id');
    if (request.role === 'ops' && request.userId)
      throw new InvalidApiKeyRequest('an ops key is not bound to a user');
    const key = generateApiKey();
    const principal: Principal = {
      keyId: apiKeyId(key),
      role: request.role,
      userId: request.role === 'trader' ? (request.userId ?? null) : null,
      name: request.name ?? null,
    };
    await orUnavailable(() =>
      this.pool.query(
        'INSERT INTO api_keys (key_id, key_hash, role, user_id, name) VALUES ($1, $2, $3, $4, $5)',
        [principal.keyId, hashApiKey(key), principal.role, principal.userId, principal.name],
      ),
    );
    return { key, principal };
  }

  /** The principal of a key, or `null` when it is unknown, revoked or malformed. */
  async verify(key: string): Promise<Principal | null> {
    if (!isWellFormedApiKey(key)) return null;
    const hash = hashApiKey(key);
    const nowMs = this.nowMs();
    const cached = this.cache.get(hash);
    if (cached !== undefined && cached.expiresAtMs > nowMs) return cached.principal;
    const result = await orUnavailable(() =>
      this.pool.query<KeyRow>({
        name: 'ledger_verify_api_key',
        text: 'SELECT key_id, role, user_id, name FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL',
        values: [hash],
      }),
    );
    const row = result.rows[0];
    const principal = row === undefined ? null : toPrincipal(row);
    this.remember(hash, principal, nowMs);
    return principal;
  }

  async count(): Promise<number> {
    const result = await orUnavailable(() =>
      this.pool.query<{ n: string }>('SELECT count(*) AS n FROM api_keys WHERE revoked_at IS NULL'),
    );
    return Number(result.rows[0]?.n ?? 0);
  }

  private remember(hash: string, principal: Principal | null, nowMs: number): void {
    if (this.cache.size >= this.cacheMax) {
      // Drop the oldest insertion (Map keeps insertion order): bounded memory under a key flood.
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    const ttl = principal === null ? NEGATIVE_CACHE_TTL_MS : this.cacheTtlMs;
    this.cache.delete(hash);
    this.cache.set(hash, { principal, expiresAtMs: nowMs + ttl });
  }
}
