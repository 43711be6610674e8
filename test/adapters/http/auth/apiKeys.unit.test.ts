import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  apiKeyId,
  bearerToken,
  generateApiKey,
  hashApiKey,
  isWellFormedApiKey,
} from '../../../../src/adapters/http/auth/apiKeys';
import { actorOf, mayActForUser, type Principal } from '../../../../src/adapters/http/auth/principal';

describe('API keys', () => {
  it('are random, well formed, with a short public id and a sha256 hash', () => {
    const keys = new Set(Array.from({ length: 200 }, generateApiKey));
    expect(keys.size).toBe(200);
    for (const key of keys) {
      expect(isWellFormedApiKey(key)).toBe(true);
      expect(apiKeyId(key)).toHaveLength(11);
      expect(key.startsWith(apiKeyId(key))).toBe(true);
      expect(hashApiKey(key)).toMatch(/^[0-9a-f]{64}$/);
      expect(hashApiKey(key)).not.toContain(key.slice(3));
    }
  });

  it('reads only "Bearer <token>" headers', () => {
    expect(bearerToken('Bearer tl_abc')).toBe('tl_abc');
    expect(bearerToken('bearer   tl_abc')).toBe('tl_abc');
    expect(bearerToken(['Bearer a', 'Bearer b'])).toBe('a');
    for (const header of [
      undefined,
      '',
      'Bearer',
      'Basic abc',
      'tl_abc',
      'Bearer a b',
      `Bearer ${'x'.repeat(300)}`,
    ]) {
      expect(bearerToken(header)).toBeUndefined();
    }
    fc.assert(
      fc.property(fc.string(), (header) => {
        const token = bearerToken(header);
        if (token !== undefined) expect(header).toContain(token);
      }),
    );
  });

  it('actors name the role and the key, and traders act only for their own user', () => {
    const trader: Principal = { keyId: 'tl_abcdefgh', role: 'trader', userId: 'alice', name: null };
    const ops: Principal = { keyId: 'tl_12345678', role: 'ops', userId: null, name: 'dana' };
    expect(actorOf(trader)).toBe('trader:tl_abcdefgh');
    expect(actorOf(ops)).toBe('ops:dana');
    expect(mayActForUser(trader, 'alice')).toBe(true);
    expect(mayActForUser(trader, 'bob')).toBe(false);
    expect(mayActForUser(ops, 'bob')).toBe(true);
  });
});
