import { createHash, randomBytes } from 'node:crypto';

/** `tl_` + 32 base64url characters (24 random bytes, 192 bits). */
const KEY_PREFIX = 'tl_';
const KEY_PATTERN = /^tl_[A-Za-z0-9_-]{32}$/;
/** How much of the key is public (its id): the prefix and 8 characters, 48 of the 192 bits. */
const KEY_ID_LENGTH = KEY_PREFIX.length + 8;
const KEY_ID_PATTERN = /^tl_[A-Za-z0-9_-]{8}$/;
/** A key anywhere in a text: its public id, then the rest. */
const KEY_IN_TEXT = /(tl_[A-Za-z0-9_-]{8})[A-Za-z0-9_-]{24,}/g;

export function generateApiKey(): string {
  return `${KEY_PREFIX}${randomBytes(24).toString('base64url')}`;
}

/** Whether the text has the shape of one of our keys (checked before any database lookup). */
export function isWellFormedApiKey(text: string): boolean {
  return KEY_PATTERN.test(text);
}

/** Whether the text has the shape of a key id (`tl_` and 8 characters), as `keys list` shows it. */
export function isApiKeyId(text: string): boolean {
  return KEY_ID_PATTERN.test(text);
}

/** The text with every API key in it cut down to its public id (e.g. a whole key pasted into a URL). */
export function maskApiKeys(text: string): string {
  return text.replace(KEY_IN_TEXT, '$1[redacted]');
}

/** The public id of a key: safe to log, to show in lists and to record as the actor. */
export function apiKeyId(key: string): string {
  return key.slice(0, KEY_ID_LENGTH);
}

/**
 * SHA-256, hex. A slow password hash buys nothing for 192-bit random keys (nobody can enumerate
 * them) and would cost milliseconds on every request.
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** The token of an `Authorization: Bearer <token>` header, or `undefined`. */
export function bearerToken(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.length > 200) return undefined;
  const match = /^Bearer[ ]+(\S+)[ ]*$/i.exec(value);
  return match?.[1];
}
