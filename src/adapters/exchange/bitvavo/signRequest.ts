import { createHmac, timingSafeEqual } from 'node:crypto';

export interface SignableRequest {
  readonly timestampMs: number;
  /** Upper-case HTTP method. */
  readonly method: string;
  /** The path exactly as sent, starting with `/v2`, including `?query` when there is one. */
  readonly path: string;
  /** The body exactly as sent; empty for GET and DELETE. */
  readonly body: string;
}

/**
 * Bitvavo's request signature: hex HMAC-SHA256 over `timestamp + METHOD + path + body`.
 * The caller signs the very strings it sends, so a re-serialisation can never break the signature.
 */
export function signRequest(secret: string, request: SignableRequest): string {
  return createHmac('sha256', secret)
    .update(`${request.timestampMs}${request.method}${request.path}${request.body}`)
    .digest('hex');
}

/** Constant-time comparison of a presented signature with the expected one (for the simulator). */
export function signatureMatches(secret: string, request: SignableRequest, presented: string): boolean {
  const expected = Buffer.from(signRequest(secret, request), 'hex');
  const given = Buffer.from(presented, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
