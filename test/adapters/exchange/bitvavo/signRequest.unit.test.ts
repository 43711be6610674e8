import { describe, expect, it } from 'vitest';
import { signatureMatches, signRequest } from '../../../../src/adapters/exchange/bitvavo/signRequest';

// Bitvavo's published test vector (DESIGN §8).
const VECTOR = {
  secret: 'bitvavo',
  request: {
    timestampMs: 1548172481125,
    method: 'POST',
    path: '/v2/order',
    body: '{"market":"BTC-EUR","side":"buy","price":"5000","amount":"1.23","orderType":"limit"}',
  },
  signature: '44d022723a20973a18f7ee97398b9fdd405d2d019c8d39e24b8cc0dcb39ca016',
};

describe('signRequest', () => {
  it("reproduces Bitvavo's published test vector", () => {
    expect(signRequest(VECTOR.secret, VECTOR.request)).toBe(VECTOR.signature);
  });

  it('signs the exact bytes: any change to the body, path, method or time changes the signature', () => {
    const variants = [
      { ...VECTOR.request, body: VECTOR.request.body.replace('1.23', '1.230') },
      { ...VECTOR.request, body: `${VECTOR.request.body} ` },
      { ...VECTOR.request, path: '/v2/order?market=BTC-EUR' },
      { ...VECTOR.request, method: 'post' },
      { ...VECTOR.request, timestampMs: VECTOR.request.timestampMs + 1 },
    ];
    for (const variant of variants) expect(signRequest(VECTOR.secret, variant)).not.toBe(VECTOR.signature);
  });

  it('verifies a presented signature, and rejects a wrong or malformed one', () => {
    expect(signatureMatches(VECTOR.secret, VECTOR.request, VECTOR.signature)).toBe(true);
    expect(signatureMatches(VECTOR.secret, VECTOR.request, VECTOR.signature.toUpperCase())).toBe(true);
    expect(signatureMatches('other', VECTOR.request, VECTOR.signature)).toBe(false);
    expect(signatureMatches(VECTOR.secret, VECTOR.request, VECTOR.signature.slice(2))).toBe(false);
    expect(signatureMatches(VECTOR.secret, VECTOR.request, 'not-hex')).toBe(false);
  });
});
