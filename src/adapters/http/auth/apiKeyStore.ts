import type pg from 'pg';
import { ApplicationError, orUnavailable } from '../../../application/errors';
import {
  API_KEY_REVOCATION_CHANNEL,
  ApiKeyRevocationListener,
  type RevocationListenerOptions,
} from './apiKeyRevocationListener';
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

/** What `list` and `revoke` show of a key: never the key, never its hash. */
export interface ApiKeyInfo {
  readonly keyId: string;
  readonly role: Role;
  readonly userId: string | null;
  readonly name: string | null;
  /** ISO 8601. */
  readonly createdAt: string;
  /** ISO 8601, or `null` while the key is valid. */
  readonly revokedAt: string | null;
}

export interface ApiKeyStoreOptions {
  /**
   * How long a verified key is trusted without asking the database again, while the revocation
   * listener (`watchRevocations`) is connected: a revocation clears the cache at once then.
   */
  readonly cacheTtlMs?: number;
  /** The same without a connected listener (not started, or its connection is down): a revocation may wait this long. */
  readonly unwatchedCacheTtlMs?: number;
  readonly cacheMaxEntries?: number;
  readonly nowMs?: () => number;
}

interface CacheEntry {
  readonly principal: Principal | null;
  readonly expiresAtMs: number;
}

const DEFAULT_CACHE_TTL_MS = 10_000;
const DEFAULT_UNWATCHED_CACHE_TTL_MS = 1_000;
const DEFAULT_LIST_LIMIT = 1_000;
const MAX_LIST_LIMIT = 10_000;
/** Unknown keys are remembered briefly too, so that a flood of bad keys does not hammer the database. */
const NEGATIVE_CACHE_TTL_MS = 1_000;
const DEFAULT_CACHE_MAX = 10_000;

export class InvalidApiKeyRequest extends Error {
  override readonly name = 'InvalidApiKeyRequest';
}

export class ApiKeyNotFound extends ApplicationError {
  override readonly name = 'ApiKeyNotFound';
  constructor(keyId: string) {
    // Someone may pass a whole key by mistake: its secret part is never echoed.
    const shown = isWellFormedApiKey(keyId) ? `${apiKeyId(keyId)}…` : keyId.slice(0, 40);
    super('API_KEY_NOT_FOUND', 404, `no API key ${shown}`);
  }
}

/** Revoking twice is reported, not silently accepted: the caller may have meant another key. */
export class ApiKeyAlreadyRevoked extends ApplicationError {
  override readonly name = 'ApiKeyAlreadyRevoked';
  constructor(readonly key: ApiKeyInfo) {
    super('API_KEY_ALREADY_REVOKED', 409, `API key ${key.keyId} was already revoked at ${key.revokedAt}`);
  }
}

interface KeyRow {
  key_id: string;
  role: Role;
  user_id: string | null;
  name: string | null;
}

interface KeyInfoRow extends KeyRow {
  created_at: Date;
  revoked_at: Date | null;
}

const toPrincipal = (row: KeyRow): Principal => ({
  keyId: row.key_id,
  role: row.role,
  userId: row.user_id,
  name: row.name,
});

const toInfo = (row: KeyInfoRow): ApiKeyInfo => ({
  ...toPrincipal(row),
  createdAt: row.created_at.toISOString(),
  revokedAt: row.revoked_at === null ? null : row.revoked_at.toISOString(),
});

const INFO_COLUMNS = 'key_id, role, user_id, name, created_at, revoked_at';

/**
 * API keys in PostgreSQL (`api_keys`, hashed), with a small in-memory cache of verified keys. A
 * revocation (here or in any other process) is announced with NOTIFY; a store that watches for it
 * clears its cache at once, and trusts its cache for long only while that watch is connected.
 */
export class ApiKeyStore {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly cacheTtlMs: number;
  private readonly unwatchedCacheTtlMs: number;
  private readonly cacheMax: number;
  private readonly nowMs: () => number;
  private listener: ApiKeyRevocationListener | undefined;
  /** Bumped by every invalidation: a lookup that raced with one must not cache its (maybe stale) answer. */
  private generation = 0;
  private invalidations = 0;

  constructor(
    private readonly pool: pg.Pool,
    options: ApiKeyStoreOptions = {},
  ) {
    this.cacheTtlMs = options.cacheTtlMs ?? DEFAULT_CACHE_TTL_MS;
    this.unwatchedCacheTtlMs = Math.min(
      this.cacheTtlMs,
      options.unwatchedCacheTtlMs ?? DEFAULT_UNWATCHED_CACHE_TTL_MS,
    );
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
    const generation = this.generation;
    // Decided before the query: had the listener dropped during it, the generation changed too.
    const ttlMs = this.listener?.connected === true ? this.cacheTtlMs : this.unwatchedCacheTtlMs;
    const result = await orUnavailable(() =>
      this.pool.query<KeyRow>({
        name: 'ledger_verify_api_key',
        text: 'SELECT key_id, role, user_id, name FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL',
        values: [hash],
      }),
    );
    const row = result.rows[0];
    const principal = row === undefined ? null : toPrincipal(row);
    if (generation === this.generation) this.remember(hash, principal, nowMs, ttlMs);
    return principal;
  }

  /** Every key, newest first (at most `limit`, default 1000): ids and metadata, never a key or a hash. */
  async list(options: { limit?: number } = {}): Promise<ApiKeyInfo[]> {
    const limit = Math.min(Math.max(1, Math.floor(options.limit ?? DEFAULT_LIST_LIMIT)), MAX_LIST_LIMIT);
    const result = await orUnavailable(() =>
      this.pool.query<KeyInfoRow>(
        `SELECT ${INFO_COLUMNS} FROM api_keys ORDER BY created_at DESC, key_id LIMIT $1`,
        [limit],
      ),
    );
    return result.rows.map(toInfo);
  }

  /**
   * Revokes a key for good and announces it (NOTIFY in the same transaction, so that every watching
   * store drops its cache the moment the revocation commits). Throws `ApiKeyNotFound` for an unknown
   * id and `ApiKeyAlreadyRevoked` (with the first revocation's time) for a revoked one.
   */
  async revoke(keyId: string): Promise<ApiKeyInfo> {
    // One statement, so one transaction: the notification is sent if and only if the update commits.
    const result = await orUnavailable(() =>
      this.pool.query<KeyInfoRow>(
        `WITH revoked AS (
           UPDATE api_keys SET revoked_at = now() WHERE key_id = $1 AND revoked_at IS NULL
           RETURNING ${INFO_COLUMNS}
         )
         SELECT ${INFO_COLUMNS}, pg_notify('${API_KEY_REVOCATION_CHANNEL}', key_id) FROM revoked`,
        [keyId],
      ),
    );
    const row = result.rows[0];
    if (row !== undefined) {
      this.invalidate();
      return toInfo(row);
    }
    const existing = await orUnavailable(() =>
      this.pool.query<KeyInfoRow>(`SELECT ${INFO_COLUMNS} FROM api_keys WHERE key_id = $1`, [keyId]),
    );
    const found = existing.rows[0];
    if (found === undefined) throw new ApiKeyNotFound(keyId);
    throw new ApiKeyAlreadyRevoked(toInfo(found));
  }

  /**
   * Starts the revocation listener (a dedicated connection made from the pool's config): from then on
   * a revocation anywhere clears this cache at once. Resolves after the first connection attempt; it
   * reconnects in the background. Call `close()` to stop it.
   */
  async watchRevocations(options: RevocationListenerOptions = {}): Promise<void> {
    if (this.listener) return;
    this.listener = new ApiKeyRevocationListener(
      this.pool,
      {
        // On connect too: a revocation may have committed while the connection was down.
        onConnected: () => this.invalidate(),
        onDisconnected: () => this.invalidate(),
        onRevoked: () => this.invalidate(),
      },
      options,
    );
    await this.listener.start();
  }

  /** Whether revocations reach this store at once right now (its listener is connected). */
  get watchingRevocations(): boolean {
    return this.listener?.connected === true;
  }

  /** How many times the cache was cleared (revocations, listener connects and drops): for tests and metrics. */
  get cacheInvalidations(): number {
    return this.invalidations;
  }

  /** Stops the revocation listener, if any. The pool is the caller's. */
  async close(): Promise<void> {
    const listener = this.listener;
    this.listener = undefined;
    await listener?.stop();
    this.invalidate();
  }

  /** Forgets every cached verification (simplest correct answer to "some key was revoked"). */
  private invalidate(): void {
    this.generation += 1;
    this.invalidations += 1;
    this.cache.clear();
  }

  async count(): Promise<number> {
    const result = await orUnavailable(() =>
      this.pool.query<{ n: string }>('SELECT count(*) AS n FROM api_keys WHERE revoked_at IS NULL'),
    );
    return Number(result.rows[0]?.n ?? 0);
  }

  private remember(hash: string, principal: Principal | null, nowMs: number, ttlMs: number): void {
    if (this.cache.size >= this.cacheMax) {
      // Drop the oldest insertion (Map keeps insertion order): bounded memory under a key flood.
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    const ttl = principal === null ? Math.min(NEGATIVE_CACHE_TTL_MS, ttlMs) : ttlMs;
    this.cache.delete(hash);
    this.cache.set(hash, { principal, expiresAtMs: nowMs + ttl });
  }
}
