import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/adapters/logging/createLogger';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(String(chunk));
      callback();
    },
  });
  return { lines, stream };
}

describe('createLogger', () => {
  it('redacts secrets wherever they are logged', () => {
    const { lines, stream } = capture();
    const logger = createLogger({ level: 'info' }, stream);
    const secret = 'SUPER-SECRET-abc';
    logger.info(
      { apiSecret: secret, config: { BITVAVO_API_SECRET: secret, BITVAVO_API_KEY: secret } },
      'starting',
    );
    logger.info(
      { req: { headers: { authorization: `Bearer ${secret}`, 'bitvavo-access-signature': secret } } },
      'request',
    );
    logger.info({ exchange: { signature: secret, secret } }, 'signed');
    const output = lines.join('');
    expect(output).not.toContain(secret);
    expect(output).toContain('[redacted]');
    expect(lines).toHaveLength(3);
  });
});
