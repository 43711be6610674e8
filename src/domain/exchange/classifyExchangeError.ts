import type { ErrorClass } from '../ports/exchange';

/** Every answer (or non-answer) of the exchange becomes one of these. */
export type ExchangeOutcomeClass = 'ACKNOWLEDGED' | ErrorClass;

/**
 * What went wrong below HTTP. The split that matters is whether the request bytes could have reached
 * the exchange: a refused connection, a DNS failure or a connect timeout happen before anything is
 * written, so the exchange certainly did not process the request; everything else may have reached it.
 */
export type TransportErrorKind =
  | 'connection_refused'
  | 'dns_failure'
  | 'connect_timeout'
  | 'timeout'
  | 'reset'
  | 'broken_response'
  | 'other';

const NOT_SENT_TRANSPORT: ReadonlySet<TransportErrorKind> = new Set([
  'connection_refused',
  'dns_failure',
  'connect_timeout',
]);

export interface ExchangeErrorInput {
  /** The HTTP status, when a response arrived. */
  readonly httpStatus?: number | undefined;
  /** Bitvavo's `errorCode` from the response body, when there was one. */
  readonly errorCode?: number | undefined;
  /** Set when no usable response arrived. */
  readonly transport?: TransportErrorKind | undefined;
}

/**
 * Bitvavo error codes by class. Anything not listed is UNKNOWN: a code we have never seen is no
 * proof that the order was not placed, so it goes to reconciliation rather than to FAILED.
 */
const CODE_CLASSES: ReadonlyMap<number, ErrorClass> = new Map<number, ErrorClass>([
  // 1xx: platform state.
  [101, 'UNKNOWN'], // unknown server error, operation may or may not have succeeded
  [102, 'HARD'], // invalid JSON
  [103, 'SOFT_NOT_EXECUTED'], // rate limited
  [104, 'SOFT_NOT_EXECUTED'], // order rate limited
  [105, 'SOFT_NOT_EXECUTED'], // banned for exceeding the rate limit
  [107, 'SOFT_NOT_EXECUTED'], // matching engine overloaded, resubmit
  [108, 'SOFT_NOT_EXECUTED'], // matching engine could not process in time, resubmit
  [109, 'UNKNOWN'], // matching engine did not respond in time, may or may not have succeeded
  [110, 'HARD'], // invalid endpoint
  [111, 'UNKNOWN'], // matching engine temporarily unavailable
  [112, 'SOFT_NOT_EXECUTED'], // websocket rate limit
  // 2xx: the request itself is wrong; it was refused before matching.
  ...[200, 201, 202, 203, 204, 205, 206].map((code): [number, ErrorClass] => [code, 'HARD']),
  ...[210, 211, 212, 213, 214, 215, 216, 217, 218, 219].map((code): [number, ErrorClass] => [code, 'HARD']),
  [220, 'ALREADY_EXISTS'], // clientOrderId already on an open order of the market
  ...[231, 232, 233, 234, 235, 236, 237, 238, 239].map((code): [number, ErrorClass] => [code, 'HARD']),
  [240, 'NOT_FOUND'],
  // 3xx: authentication. 302 and 304 are about time (timestamp format, access window): the request was
  // not processed and a retry with a corrected clock can succeed. The rest need an operator.
  ...[300, 301, 303, 305, 306, 307, 308, 309, 310, 311, 312, 313, 315, 316, 317, 318, 319, 320].map(
    (code): [number, ErrorClass] => [code, 'HARD'],
  ),
  [302, 'SOFT_NOT_EXECUTED'],
  [304, 'SOFT_NOT_EXECUTED'],
  // 4xx: 400 is an unknown server error; 419 and 430 are availability problems mid-flight.
  [400, 'UNKNOWN'],
  ...[401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415].map(
    (code): [number, ErrorClass] => [code, 'HARD'],
  ),
  [419, 'UNKNOWN'],
  [422, 'HARD'], // price not on the tick size
  [423, 'HARD'], // market halted
  [424, 'HARD'], // market cancelOnly
  [425, 'HARD'], // market in auction
  [426, 'HARD'], // market in auctionMatching
  [429, 'HARD'], // too many decimal places (errorCode 429, not HTTP 429)
  [430, 'UNKNOWN'],
  [431, 'HARD'],
]);

/** Classes of a bare HTTP status (no Bitvavo errorCode in the body). */
function classifyBareStatus(httpStatus: number): ExchangeOutcomeClass {
  if (httpStatus >= 200 && httpStatus < 300) return 'ACKNOWLEDGED';
  if (httpStatus === 429) return 'SOFT_NOT_EXECUTED';
  if (httpStatus === 408) return 'UNKNOWN';
  // A 4xx without a Bitvavo code comes from the exchange's edge (proxy, firewall): it never reached
  // the matching engine.
  if (httpStatus >= 400 && httpStatus < 500) return 'HARD';
  // 5xx, 1xx, 3xx and anything else: the request may have been processed.
  return 'UNKNOWN';
}

/** Pure: HTTP status + Bitvavo errorCode + transport error → the error class of DESIGN §3. */
export function classifyExchangeError(input: ExchangeErrorInput): ExchangeOutcomeClass {
  if (input.transport !== undefined) {
    return NOT_SENT_TRANSPORT.has(input.transport) ? 'SOFT_NOT_EXECUTED' : 'UNKNOWN';
  }
  if (input.errorCode !== undefined) {
    return CODE_CLASSES.get(input.errorCode) ?? 'UNKNOWN';
  }
  if (input.httpStatus === undefined) return 'UNKNOWN';
  return classifyBareStatus(input.httpStatus);
}

/** The codes with an explicit class, for tests and docs. */
export function knownBitvavoErrorCodes(): readonly number[] {
  return [...CODE_CLASSES.keys()].sort((a, b) => a - b);
}
