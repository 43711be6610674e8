import { pino, type Logger, type LoggerOptions } from 'pino';
import { maskApiKeys } from '../http/auth/apiKeys';

/** Every path under which a secret could reach a log line. Redaction is by path, so keep names stable. */
export const REDACTED_PATHS = [
  'BITVAVO_API_SECRET',
  'BITVAVO_API_KEY',
  '*.BITVAVO_API_SECRET',
  '*.BITVAVO_API_KEY',
  'apiSecret',
  '*.apiSecret',
  'secret',
  '*.secret',
  'apiKey',
  '*.apiKey',
  'password',
  '*.password',
  'signature',
  '*.signature',
  'headers.authorization',
  '*.headers.authorization',
  'headers["bitvavo-access-signature"]',
  '*.headers["bitvavo-access-signature"]',
  'headers["bitvavo-access-key"]',
  '*.headers["bitvavo-access-key"]',
  'DATABASE_URL',
  '*.DATABASE_URL',
  'connectionString',
  '*.connectionString',
];

interface RequestLike {
  readonly method?: unknown;
  readonly url?: unknown;
  readonly host?: unknown;
  readonly ip?: unknown;
  readonly socket?: { readonly remotePort?: unknown } | null;
}

/**
 * The request as the HTTP server logs it (method, url, host, address; never headers). The url goes
 * through `maskApiKeys`: path redaction cannot reach a key inside a string, and an operator who pastes
 * a whole key into DELETE /v1/ops/keys/:keyId (refused with a 400) would otherwise log it.
 */
function requestForLog(req: RequestLike) {
  return {
    method: req.method,
    url: typeof req.url === 'string' ? maskApiKeys(req.url) : req.url,
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}

export function createLogger(
  options: { level: string; name?: string },
  destination?: pino.DestinationStream,
): Logger {
  const loggerOptions: LoggerOptions = {
    level: options.level,
    name: options.name ?? 'trade-ledger',
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: { req: requestForLog },
  };
  return destination ? pino(loggerOptions, destination) : pino(loggerOptions);
}
