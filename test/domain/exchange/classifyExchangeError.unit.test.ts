import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  classifyExchangeError,
  knownBitvavoErrorCodes,
  type ExchangeOutcomeClass,
  type TransportErrorKind,
} from '../../../src/domain/exchange/classifyExchangeError';

/** [httpStatus, errorCode, class]: every Bitvavo code the classifier knows, with the status it travels with. */
const CODE_TABLE: readonly [number, number, ExchangeOutcomeClass][] = [
  // 1xx platform
  [500, 101, 'UNKNOWN'],
  [400, 102, 'HARD'],
  [429, 103, 'SOFT_NOT_EXECUTED'],
  [429, 104, 'SOFT_NOT_EXECUTED'],
  [429, 105, 'SOFT_NOT_EXECUTED'],
  [503, 107, 'SOFT_NOT_EXECUTED'],
  [503, 108, 'SOFT_NOT_EXECUTED'],
  [503, 109, 'UNKNOWN'],
  [404, 110, 'HARD'],
  [503, 111, 'UNKNOWN'],
  [429, 112, 'SOFT_NOT_EXECUTED'],
  // 2xx request errors
  [400, 200, 'HARD'],
  [400, 201, 'HARD'],
  [400, 202, 'HARD'],
  [400, 203, 'HARD'],
  [400, 204, 'HARD'],
  [400, 205, 'HARD'],
  [400, 206, 'HARD'],
  [400, 210, 'HARD'],
  [400, 211, 'HARD'],
  [400, 212, 'HARD'],
  [400, 213, 'HARD'],
  [400, 214, 'HARD'],
  [400, 215, 'HARD'],
  [400, 216, 'HARD'],
  [400, 217, 'HARD'],
  [400, 218, 'HARD'],
  [400, 219, 'HARD'],
  [400, 220, 'ALREADY_EXISTS'],
  [400, 231, 'HARD'],
  [400, 232, 'HARD'],
  [400, 233, 'HARD'],
  [400, 234, 'HARD'],
  [400, 235, 'HARD'],
  [400, 236, 'HARD'],
  [400, 237, 'HARD'],
  [400, 238, 'HARD'],
  [400, 239, 'HARD'],
  [404, 240, 'NOT_FOUND'],
  // 3xx authentication
  [403, 300, 'HARD'],
  [403, 301, 'HARD'],
  [403, 302, 'SOFT_NOT_EXECUTED'],
  [403, 303, 'HARD'],
  [403, 304, 'SOFT_NOT_EXECUTED'],
  [403, 305, 'HARD'],
  [403, 306, 'HARD'],
  [403, 307, 'HARD'],
  [403, 308, 'HARD'],
  [403, 309, 'HARD'],
  [403, 310, 'HARD'],
  [403, 311, 'HARD'],
  [403, 312, 'HARD'],
  [403, 313, 'HARD'],
  [403, 315, 'HARD'],
  [403, 316, 'HARD'],
  [403, 317, 'HARD'],
  [403, 318, 'HARD'],
  [403, 319, 'HARD'],
  [403, 320, 'HARD'],
  // 4xx account, market state, availability
  [500, 400, 'UNKNOWN'],
  [400, 401, 'HARD'],
  [400, 402, 'HARD'],
  [400, 403, 'HARD'],
  [400, 404, 'HARD'],
  [400, 405, 'HARD'],
  [400, 406, 'HARD'],
  [400, 407, 'HARD'],
  [400, 408, 'HARD'],
  [400, 409, 'HARD'],
  [400, 410, 'HARD'],
  [400, 411, 'HARD'],
  [400, 412, 'HARD'],
  [400, 413, 'HARD'],
  [400, 414, 'HARD'],
  [404, 415, 'HARD'],
  [503, 419, 'UNKNOWN'],
  [400, 422, 'HARD'],
  [400, 423, 'HARD'],
  [400, 424, 'HARD'],
  [400, 425, 'HARD'],
  [400, 426, 'HARD'],
  [400, 429, 'HARD'],
  [503, 430, 'UNKNOWN'],
  [409, 431, 'HARD'],
];

describe('classifyExchangeError', () => {
  it.each(CODE_TABLE)('HTTP %i errorCode %i → %s', (httpStatus, errorCode, expected) => {
    expect(classifyExchangeError({ httpStatus, errorCode })).toBe(expected);
  });

  it('has a test row for every code it knows, and knows every code in the table', () => {
    expect(CODE_TABLE.map(([, code]) => code).sort((a, b) => a - b)).toEqual(knownBitvavoErrorCodes());
  });

  it('meets the minimum of DESIGN §3', () => {
    expect(classifyExchangeError({ httpStatus: 429, errorCode: 105 })).toBe('SOFT_NOT_EXECUTED');
    for (const code of [302, 304, 107, 108]) {
      expect(classifyExchangeError({ httpStatus: 403, errorCode: code })).toBe('SOFT_NOT_EXECUTED');
    }
    for (const code of [101, 109, 111, 419, 430]) {
      expect(classifyExchangeError({ httpStatus: 500, errorCode: code })).toBe('UNKNOWN');
    }
    expect(classifyExchangeError({ httpStatus: 400, errorCode: 220 })).toBe('ALREADY_EXISTS');
    expect(classifyExchangeError({ httpStatus: 404, errorCode: 240 })).toBe('NOT_FOUND');
  });

  it('tells errorCode 429 (too many decimals, HARD) from HTTP 429 (rate limit, SOFT)', () => {
    expect(classifyExchangeError({ httpStatus: 400, errorCode: 429 })).toBe('HARD');
    expect(classifyExchangeError({ httpStatus: 429 })).toBe('SOFT_NOT_EXECUTED');
  });

  const transportTable: readonly [TransportErrorKind, ExchangeOutcomeClass][] = [
    ['connection_refused', 'SOFT_NOT_EXECUTED'],
    ['dns_failure', 'SOFT_NOT_EXECUTED'],
    ['connect_timeout', 'SOFT_NOT_EXECUTED'],
    ['timeout', 'UNKNOWN'],
    ['reset', 'UNKNOWN'],
    ['broken_response', 'UNKNOWN'],
    ['other', 'UNKNOWN'],
  ];
  it.each(transportTable)('transport %s → %s', (transport, expected) => {
    expect(classifyExchangeError({ transport })).toBe(expected);
  });

  it('lets a transport error win over a status seen before it (a body that broke mid-way)', () => {
    expect(classifyExchangeError({ httpStatus: 200, transport: 'broken_response' })).toBe('UNKNOWN');
  });

  const bareStatusTable: readonly [number, ExchangeOutcomeClass][] = [
    [200, 'ACKNOWLEDGED'],
    [201, 'ACKNOWLEDGED'],
    [400, 'HARD'],
    [401, 'HARD'],
    [403, 'HARD'],
    [404, 'HARD'],
    [408, 'UNKNOWN'],
    [429, 'SOFT_NOT_EXECUTED'],
    [500, 'UNKNOWN'],
    [502, 'UNKNOWN'],
    [503, 'UNKNOWN'],
    [504, 'UNKNOWN'],
    [302, 'UNKNOWN'],
  ];
  it.each(bareStatusTable)('bare HTTP %i (no errorCode) → %s', (httpStatus, expected) => {
    expect(classifyExchangeError({ httpStatus })).toBe(expected);
  });

  it('treats no information at all as UNKNOWN', () => {
    expect(classifyExchangeError({})).toBe('UNKNOWN');
  });

  it('never calls an unrecognised errorCode anything but UNKNOWN, whatever the status', () => {
    const known = new Set(knownBitvavoErrorCodes());
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100_000 }).filter((code) => !known.has(code)),
        fc.integer({ min: 100, max: 599 }),
        (errorCode, httpStatus) => classifyExchangeError({ httpStatus, errorCode }) === 'UNKNOWN',
      ),
    );
  });
});
