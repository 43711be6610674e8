const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Bitvavo accepts only a UUID as clientOrderId (anything else is error 205). */
export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}
