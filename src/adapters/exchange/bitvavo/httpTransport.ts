import { Pool } from 'undici';
import type { TransportErrorKind } from '../../../domain/exchange/classifyExchangeError';

export interface TransportRequest {
  readonly method: 'GET' | 'POST' | 'DELETE';
  /** Path plus query exactly as signed, e.g. `/v2/order?market=BTC-EUR`. */
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly timeoutMs: number;
}

export type TransportResult =
  | {
      readonly kind: 'response';
      readonly status: number;
      readonly headers: Record<string, string | string[] | undefined>;
      readonly bodyText: string;
    }
  | { readonly kind: 'transport_error'; readonly transport: TransportErrorKind; readonly detail: string };

/** Bodies beyond this are not a Bitvavo answer we can use (1000 orders are well under it). */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

const NOT_SENT_CODES: Readonly<Record<string, TransportErrorKind>> = {
  ECONNREFUSED: 'connection_refused',
  ENOTFOUND: 'dns_failure',
  EAI_AGAIN: 'dns_failure',
  UND_ERR_CONNECT_TIMEOUT: 'connect_timeout',
};

const AFTER_SEND_CODES: Readonly<Record<string, TransportErrorKind>> = {
  UND_ERR_HEADERS_TIMEOUT: 'timeout',
  UND_ERR_BODY_TIMEOUT: 'timeout',
  UND_ERR_ABORTED: 'timeout',
  ABORT_ERR: 'timeout',
  UND_ERR_SOCKET: 'reset',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'broken_response',
  UND_ERR_RESPONSE: 'broken_response',
  HPE_INVALID_CONSTANT: 'broken_response',
  UND_ERR_RES_EXCEEDED_MAX_SIZE: 'broken_response',
};

function errorCodeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const record = error as { code?: unknown; name?: unknown; cause?: unknown; errors?: unknown };
  if (typeof record.code === 'string') return record.code;
  if (record.name === 'AbortError' || record.name === 'TimeoutError') return 'ABORT_ERR';
  // Happy-eyeballs connects fail with an AggregateError of per-address errors.
  if (Array.isArray(record.errors) && record.errors.length > 0) return errorCodeOf(record.errors[0]);
  if (record.cause !== undefined) return errorCodeOf(record.cause);
  return undefined;
}

/** Maps a thrown error to a transport kind: could the request have reached the exchange? */
export function transportKindOf(error: unknown): TransportErrorKind {
  const code = errorCodeOf(error);
  if (code === undefined) return 'other';
  return NOT_SENT_CODES[code] ?? AFTER_SEND_CODES[code] ?? 'other';
}

/**
 * One keep-alive connection pool to the exchange origin. Requests are never retried here: a retry of
 * an order is the ledger's decision, made only with evidence (DESIGN §3).
 */
export class HttpTransport {
  private readonly pool: Pool;

  constructor(origin: string, options: { readonly connections?: number; readonly connectTimeoutMs: number }) {
    this.pool = new Pool(origin, {
      connections: options.connections ?? 8,
      pipelining: 1,
      keepAliveTimeout: 4_000,
      keepAliveMaxTimeout: 30_000,
      connect: { timeout: options.connectTimeoutMs },
    });
  }

  async send(request: TransportRequest): Promise<TransportResult> {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), request.timeoutMs);
    try {
      const response = await this.pool.request({
        method: request.method,
        path: request.path,
        headers: request.headers,
        body: request.body === '' ? null : request.body,
        signal: abort.signal,
        headersTimeout: request.timeoutMs,
        bodyTimeout: request.timeoutMs,
      });
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of response.body) {
        const buffer = chunk as Buffer;
        size += buffer.length;
        if (size > MAX_BODY_BYTES) {
          abort.abort();
          return { kind: 'transport_error', transport: 'broken_response', detail: 'response body too large' };
        }
        chunks.push(buffer);
      }
      return {
        kind: 'response',
        status: response.statusCode,
        headers: response.headers,
        bodyText: Buffer.concat(chunks).toString('utf8'),
      };
    } catch (error) {
      const transport = abort.signal.aborted ? 'timeout' : transportKindOf(error);
      const code = errorCodeOf(error);
      return {
        kind: 'transport_error',
        transport,
        detail: code ?? (error instanceof Error ? error.name : 'error'),
      };
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
