import type { Logger } from 'pino';
import type { Config } from '../../config';
import { createLogger } from '../logging/createLogger';

/**
 * The log of a CLI command: to stderr (stdout is the command's answer, `--json` included), and at
 * warn unless LOG_LEVEL asks for more detail than the service's default.
 */
export function cliLogger(config: Pick<Config, 'LOG_LEVEL'>): Logger {
  return createLogger(
    { level: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL, name: 'ledger-cli' },
    process.stderr,
  );
}
