/** Deeper than any request body we accept; a guard against cycles and abuse. */
const MAX_DEPTH = 16;

function canonical(value: unknown, depth: number): string | undefined {
  if (depth > MAX_DEPTH) throw new Error(`request body nested deeper than ${MAX_DEPTH}`);
  if (value === undefined) return undefined;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error('request body holds a non-finite number');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    return `[${value.map((item) => canonical(item, depth + 1) ?? 'null').join(',')}]`;
  }
  if (typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .flatMap((key) => {
        const item = canonical((value as Record<string, unknown>)[key], depth + 1);
        return item === undefined ? [] : [`${JSON.stringify(key)}:${item}`];
      });
    return `{${entries.join(',')}}`;
  }
  throw new Error(`request body holds a ${typeof value}`);
}

/**
 * The canonical JSON of a request body: keys sorted at every level, `undefined` members dropped, no
 * whitespace. Two bodies that mean the same thing give the same string; the caller hashes it (sha256,
 * hex) into `requestHash`. Hashing needs node:crypto, which the domain may not import.
 */
export function canonicalRequestJson(body: unknown): string {
  const json = canonical(body, 0);
  if (json === undefined) throw new Error('request body is undefined');
  return json;
}
