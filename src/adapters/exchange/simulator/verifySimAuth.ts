import { signatureMatches } from '../bitvavo/signRequest';
import { simError, type SimError } from './simError';

export interface SimAuthInput {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly method: string;
  /** Path and query exactly as received, e.g. `/v2/order?market=BTC-EUR`. */
  readonly path: string;
  readonly body: string;
  readonly nowMs: number;
  readonly apiKey: string;
  readonly apiSecret: string;
}

const DEFAULT_WINDOW_MS = 10_000;
const SIGNATURE_FORMAT = /^[0-9a-f]{64}$/i;

function header(headers: SimAuthInput['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Bitvavo's authentication checks, answered with its 403 codes: 300 no credentials, 302 timestamp not
 * in milliseconds, 303 window out of range, 304 not received within the window, 305 unknown key,
 * 308 malformed signature, 309 wrong signature. Run when the request is processed (after any delay),
 * so that a request held up in transit past its window is refused as the real exchange would.
 */
export function verifySimAuth(input: SimAuthInput): SimError | undefined {
  const key = header(input.headers, 'bitvavo-access-key');
  const signature = header(input.headers, 'bitvavo-access-signature');
  const timestampText = header(input.headers, 'bitvavo-access-timestamp');
  if (key === undefined || signature === undefined || timestampText === undefined) {
    return simError(403, 300, 'Authentication is required for this endpoint.');
  }
  if (key !== input.apiKey) return simError(403, 305, 'No active API key found.');
  if (!/^\d{13}$/.test(timestampText)) {
    return simError(403, 302, 'Timestamp is invalid. This must be a timestamp in ms.');
  }
  const windowText = header(input.headers, 'bitvavo-access-window');
  const windowMs = windowText === undefined ? DEFAULT_WINDOW_MS : Number(windowText);
  if (!Number.isInteger(windowMs) || windowMs < 100 || windowMs > 60_000) {
    return simError(403, 303, 'Window must be between 100 and 60000 ms.');
  }
  const timestampMs = Number(timestampText);
  // Too old, or from further in the future than the window allows: not processed.
  if (input.nowMs > timestampMs + windowMs || timestampMs > input.nowMs + windowMs) {
    return simError(403, 304, 'Request was not received within acceptable window (default 10000 ms).');
  }
  if (!SIGNATURE_FORMAT.test(signature))
    return simError(
      403,
      308,
      'The signature length is invalid (HMAC-SHA256 should return a 64 length hexadecimal string).',
    );
  const request = { timestampMs, method: input.method, path: input.path, body: input.body };
  if (!signatureMatches(input.apiSecret, request, signature)) {
    return simError(403, 309, 'The signature of this request is invalid.');
  }
  return undefined;
}
