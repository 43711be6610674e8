import pg from 'pg';

/** Errors that mean "the database cannot be reached or is going away", as opposed to a bad query. */
export function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code !== 'string') {
    const message = String((error as Error | undefined)?.message ?? '');
    return /Connection terminated|connect ECONNREFUSED|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
      message,
    );
  }
  return (
    [
      'ECONNREFUSED',
      'ECONNRESET',
      'ENOTFOUND',
      'EAI_AGAIN',
      'ETIMEDOUT',
      'EPIPE',
      '57P01',
      '57P02',
      '57P03',
      '53300',
    ].includes(code) || code.startsWith('08')
  );
}

export interface PoolOptions {
  readonly connectionString: string;
  readonly maxConnections?: number;
  readonly connectionTimeoutMs?: number;
  readonly statementTimeoutMs?: number;
  readonly onError?: (error: Error) => void;
}

export function createPool(options: PoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.maxConnections ?? 20,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 5_000,
    idleTimeoutMillis: 30_000,
    ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
  });
  // An idle client that loses its connection emits here; without a listener the process would crash.
  pool.on('error', (error) => options.onError?.(error));
  return pool;
}

/** One line, no stack, no password: what an operator sees when the database is unreachable. */
export function describeConnectionFailure(connectionString: string, error: unknown): string {
  let where = 'the database';
  try {
    const url = new URL(connectionString);
    where = `${url.hostname}:${url.port || '5432'}${url.pathname}`;
  } catch {
    where = 'the database (DATABASE_URL is not a valid URL)';
  }
  const reason =
    (error as { code?: string; message?: string }).code ?? (error as Error).message ?? String(error);
  return `cannot connect to PostgreSQL at ${where}: ${String(reason).replace(/postgres(ql)?:\/\/[^\s]+/g, '[url]')}`;
}
