import pg from 'pg';

/** The channel `ApiKeyStore.revoke` notifies on (payload: the revoked key's public id). */
export const API_KEY_REVOCATION_CHANNEL = 'ledger_api_keys';

export const LISTENER_APPLICATION_NAME = 'ledger-api-key-listener';

export interface RevocationEvents {
  /** LISTEN is active: from now on every revocation that commits is announced. */
  onConnected(): void;
  /** The connection is gone: revocations may be missed until `onConnected` again. */
  onDisconnected(): void;
  onRevoked(keyId: string): void;
}

export interface RevocationListenerLogger {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

export interface RevocationListenerOptions {
  readonly reconnectMinDelayMs?: number;
  readonly reconnectMaxDelayMs?: number;
  /** After this many failed connects in a row it gives up (the store then stays on its short cache TTL). */
  readonly maxReconnectAttemptsInRow?: number;
  /** A `SELECT 1` on the listening connection this often: a silently dead connection is noticed. */
  readonly heartbeatIntervalMs?: number;
  readonly heartbeatTimeoutMs?: number;
  readonly logger?: RevocationListenerLogger;
}

const DEFAULT_RECONNECT_MIN_DELAY_MS = 200;
const DEFAULT_RECONNECT_MAX_DELAY_MS = 30_000;
// ~24 h of attempts at the maximum delay: long enough for any outage someone would wait out.
const DEFAULT_MAX_RECONNECT_ATTEMPTS_IN_ROW = 3_000;
const DEFAULT_HEARTBEAT_INTERVAL_MS = 5_000;
const DEFAULT_HEARTBEAT_TIMEOUT_MS = 2_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** `client.end()` on a half-open socket may never finish: shutdown must not wait for it. */
const END_TIMEOUT_MS = 2_000;

const silentLogger: RevocationListenerLogger = { info() {}, warn() {}, error() {} };

function withTimeout<T>(work: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** Only the error's code or first line: a connection error may otherwise carry host and user. */
function reasonOf(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') return code;
  return String((error as Error | undefined)?.message ?? error)
    .split('\n')[0]!
    .replace(/postgres(ql)?:\/\/\S+/g, '[url]')
    .slice(0, 200);
}

/**
 * A dedicated connection (made from the pool's config) that LISTENs for API key revocations, reconnects
 * with exponential backoff when it drops, and tells its owner whether it is connected, so that the
 * owner trusts its cache only while no revocation can be missed.
 */
export class ApiKeyRevocationListener {
  private stopped = false;
  private live = false;
  private loop: Promise<void> | undefined;
  private wakeSleep: (() => void) | undefined;
  private dropConnection: ((reason: string) => void) | undefined;
  private readonly minDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly maxAttemptsInRow: number;
  private readonly heartbeatIntervalMs: number;
  private readonly heartbeatTimeoutMs: number;
  private readonly logger: RevocationListenerLogger;

  constructor(
    private readonly pool: pg.Pool,
    private readonly events: RevocationEvents,
    options: RevocationListenerOptions = {},
  ) {
    this.minDelayMs = options.reconnectMinDelayMs ?? DEFAULT_RECONNECT_MIN_DELAY_MS;
    this.maxDelayMs = Math.max(
      this.minDelayMs,
      options.reconnectMaxDelayMs ?? DEFAULT_RECONNECT_MAX_DELAY_MS,
    );
    this.maxAttemptsInRow = options.maxReconnectAttemptsInRow ?? DEFAULT_MAX_RECONNECT_ATTEMPTS_IN_ROW;
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
    this.heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? DEFAULT_HEARTBEAT_TIMEOUT_MS;
    this.logger = options.logger ?? silentLogger;
  }

  /** Whether LISTEN is active right now. */
  get connected(): boolean {
    return this.live;
  }

  /** Starts listening; resolves after the first connection attempt (it keeps retrying in the background). */
  start(): Promise<void> {
    if (this.loop) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.loop = this.run(resolve);
    });
  }

  /** Stops listening and closes the connection; bounded, never hangs on a dead socket. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeSleep?.();
    this.dropConnection?.('stopped');
    await this.loop?.catch(() => undefined);
  }

  private async run(firstAttemptDone: () => void): Promise<void> {
    let failuresInRow = 0;
    try {
      while (!this.stopped) {
        const client = await this.connect();
        firstAttemptDone();
        if (client) {
          failuresInRow = 0;
          await this.holdConnection(client);
          if (this.stopped) break;
        } else if (++failuresInRow >= this.maxAttemptsInRow) {
          this.logger.error(
            { attempts: failuresInRow },
            'API key revocation listener gave up reconnecting; verified keys are cached only briefly',
          );
          return;
        }
        await this.sleep(Math.min(this.minDelayMs * 2 ** Math.min(failuresInRow, 20), this.maxDelayMs));
      }
    } finally {
      firstAttemptDone();
    }
  }

  private async connect(): Promise<pg.Client | undefined> {
    const { connectionString, ...rest } = this.pool.options as pg.ClientConfig;
    const client = new pg.Client({
      ...rest,
      ...(connectionString ? { connectionString } : {}),
      keepAlive: true,
      // A pool without its own connect timeout must not leave a connect (and so stop()) hanging for minutes.
      connectionTimeoutMillis: rest.connectionTimeoutMillis ?? DEFAULT_CONNECT_TIMEOUT_MS,
      // Visible in pg_stat_activity: an operator can tell this connection from the pool's.
      application_name: LISTENER_APPLICATION_NAME,
    });
    // Errors before `holdConnection` takes over: the connect or LISTEN below rejects as well.
    client.on('error', () => undefined);
    client.on('notification', (message) => {
      if (message.channel === API_KEY_REVOCATION_CHANNEL) this.events.onRevoked(message.payload ?? '');
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${API_KEY_REVOCATION_CHANNEL}`);
      return client;
    } catch (error) {
      this.logger.warn({ reason: reasonOf(error) }, 'API key revocation listener cannot connect');
      await this.end(client);
      return undefined;
    }
  }

  /** Live until the connection errors, ends, misses a heartbeat or `stop()` is called. */
  private async holdConnection(client: pg.Client): Promise<void> {
    const dropped = new Promise<string>((resolve) => {
      this.dropConnection = resolve;
      client.on('error', (error) => resolve(reasonOf(error)));
      client.on('end', () => resolve('connection ended'));
    });
    const heartbeat = setInterval(() => {
      withTimeout(client.query('SELECT 1'), this.heartbeatTimeoutMs, 'heartbeat').catch((error: unknown) =>
        this.dropConnection?.(reasonOf(error)),
      );
    }, this.heartbeatIntervalMs);
    heartbeat.unref();
    this.live = true;
    this.events.onConnected();
    this.logger.info({}, 'API key revocation listener connected: revoked keys are refused at once');
    if (this.stopped) this.dropConnection?.('stopped');
    const reason = await dropped;
    clearInterval(heartbeat);
    this.live = false;
    this.dropConnection = undefined;
    this.events.onDisconnected();
    if (!this.stopped) this.logger.warn({ reason }, 'API key revocation listener lost its connection');
    await this.end(client);
  }

  private async end(client: pg.Client): Promise<void> {
    await withTimeout(client.end(), END_TIMEOUT_MS, 'closing the listener').catch(() => undefined);
  }

  private async sleep(durationMs: number): Promise<void> {
    if (this.stopped) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, durationMs);
      this.wakeSleep = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wakeSleep = undefined;
  }
}
