import { pino, type Logger, type LoggerOptions } from 'pino';

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

export function createLogger(
  options: { level: string; name?: string },
  destination?: pino.DestinationStream,
): Logger {
  const loggerOptions: LoggerOptions = {
    level: options.level,
    name: options.name ?? 'trade-ledger',
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  };
  return destination ? pino(loggerOptions, destination) : pino(loggerOptions);
}
