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

  it('cuts an API key in a request url down to its public id (headers are never logged)', () => {
    const { lines, stream } = capture();
    const logger = createLogger({ level: 'info' }, stream);
    const key = `tl_${'abcdefgh'}${'Z'.repeat(24)}`;
    logger.info(
      {
        req: {
          method: 'DELETE',
          url: `/v1/ops/keys/${key}?again=${key}`,
          host: 'localhost',
          ip: '127.0.0.1',
          headers: { authorization: `Bearer ${key}` },
        },
      },
      'incoming request',
    );
    const output = lines.join('');
    expect(output).not.toContain(key);
    expect(output).toContain('/v1/ops/keys/tl_abcdefgh[redacted]?again=tl_abcdefgh[redacted]');
    expect(output).toContain('"method":"DELETE"');
  });
});
