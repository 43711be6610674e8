import pg from 'pg';

/** The advisory-lock class of projections (any constant nothing else uses): key (class, hash(name)). */
const PROJECTION_LOCK_CLASS = 7_264_005;

/**
 * "Only one instance applies this projection": a session advisory lock held on a connection of its
 * own for as long as the instance leads. If that connection drops, PostgreSQL releases the lock and
 * `lost` settles, so the instance steps down. (Correctness does not rest on it: batches also lock the
 * checkpoint row. The lock just keeps standbys from reading the stream for nothing.)
 */
export class LeaderLock {
  private client: pg.Client | undefined;
  private resolveLost: (() => void) | undefined;
  lost: Promise<void> = new Promise(() => undefined);

  constructor(
    private readonly pool: pg.Pool,
    private readonly name: string,
  ) {}

  get held(): boolean {
    return this.client !== undefined;
  }

  async tryAcquire(): Promise<boolean> {
    if (this.client) return true;
    const { connectionString, ...rest } = this.pool.options as pg.ClientConfig;
    const client = new pg.Client({ ...rest, ...(connectionString ? { connectionString } : {}) });
    client.on('error', () => this.drop(client));
    client.on('end', () => this.drop(client));
    try {
      await client.connect();
      const result = await client.query<{ locked: boolean }>(
        'SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked',
        [PROJECTION_LOCK_CLASS, this.name],
      );
      if (!result.rows[0]?.locked) {
        await client.end().catch(() => undefined);
        return false;
      }
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    this.client = client;
    this.lost = new Promise((resolve) => {
      this.resolveLost = resolve;
    });
    return true;
  }

  async release(): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.client = undefined;
    this.resolveLost?.();
    // Ending the session releases the lock; an explicit unlock first keeps the intent readable.
    await client
      .query('SELECT pg_advisory_unlock($1, hashtext($2))', [PROJECTION_LOCK_CLASS, this.name])
      .catch(() => undefined);
    await client.end().catch(() => undefined);
  }

  private drop(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.resolveLost?.();
    client.end().catch(() => undefined);
  }
}
