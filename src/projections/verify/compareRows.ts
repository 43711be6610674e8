import { Decimal } from 'decimal.js';
import pg from 'pg';
import type { ColumnTypes, SqlType } from '../sqlColumns';
import type { Drift } from './drift';

/** JSON with sorted keys, so that jsonb (which reorders keys) compares equal to what was written. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, item]) => item !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
}

const TIMESTAMPTZ_OID = 1184;
const parseDefault = pg.types.getTypeParser.bind(pg.types) as (oid: number, format?: string) => unknown;

/**
 * Parsers for verify's reads of the read models: timestamptz as PostgreSQL's own text (a JS Date
 * keeps milliseconds only, so a time moved by some microseconds would compare equal), the rest as
 * usual (numerics are text already).
 */
export const VERIFY_TYPES = {
  getTypeParser: (oid: number, format?: string) =>
    oid === TIMESTAMPTZ_OID ? (text: string) => text : parseDefault(oid, format),
} as unknown as pg.CustomTypesConfig;

const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}(?::?\d{2}(?::?\d{2})?)?)?$/;

/**
 * An instant in microseconds since the epoch, from a Date, an ISO-8601 string or PostgreSQL's
 * timestamptz text (a longer fraction rounded to the microsecond, as PostgreSQL stores it);
 * undefined when it is none of these.
 */
export function timeMicros(value: unknown): bigint | undefined {
  if (value instanceof Date)
    return Number.isNaN(value.getTime()) ? undefined : BigInt(value.getTime()) * 1000n;
  const match = TIMESTAMP.exec(String(value));
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second, fraction = '', zone = 'Z'] = match;
  const wholeMs = Date.UTC(
    Number(year),
    Number(month) - 1,
    Number(day),
    Number(hour),
    Number(minute),
    Number(second),
  );
  if (Number.isNaN(wholeMs)) return undefined;
  let micros = BigInt(`${fraction}000000`.slice(0, 6));
  if (fraction.length > 6 && Number(fraction[6]) >= 5) micros += 1n;
  let offsetSeconds = 0;
  if (zone !== 'Z') {
    const digits = zone.slice(1).replace(/:/g, '');
    offsetSeconds =
      (zone.startsWith('-') ? -1 : 1) *
      (Number(digits.slice(0, 2)) * 3600 +
        Number(digits.slice(2, 4) || 0) * 60 +
        Number(digits.slice(4, 6) || 0));
  }
  return BigInt(wholeMs) * 1000n + micros - BigInt(offsetSeconds) * 1_000_000n;
}

/**
 * The scale PostgreSQL gives a numeric written so (its digits after the point, which it keeps and
 * prints back): "1.50" → 2, "1.5" → 1, "15e-1" → 1; NaN when it is not a number.
 */
export function numericScale(text: string): number {
  const match = /^[+-]?\d*(?:\.(\d*))?(?:e([+-]?\d+))?$/i.exec(text.trim());
  if (!match) return Number.NaN;
  return Math.max(0, (match[1]?.length ?? 0) - Number(match[2] ?? 0));
}

/**
 * Equality by the column's SQL type: numerics by value and, for plain `numeric`, scale too (the read
 * model keeps "1.50" as written and the API prints it so: "1.5" there is a drift); times by instant to
 * the microsecond; jsonb by content.
 */
export function sameValue(type: SqlType, expected: unknown, actual: unknown): boolean {
  if (expected === null || expected === undefined || actual === null || actual === undefined) {
    return (expected ?? null) === (actual ?? null);
  }
  switch (type) {
    case 'numeric':
    case 'numeric(20,0)':
    case 'bigint':
      try {
        if (!new Decimal(String(expected)).eq(new Decimal(String(actual)))) return false;
      } catch {
        return false;
      }
      return type !== 'numeric' || numericScale(String(expected)) === numericScale(String(actual));
    case 'integer':
      return Number(expected) === Number(actual);
    case 'timestamptz': {
      const want = timeMicros(expected);
      return want !== undefined && want === timeMicros(actual);
    }
    case 'jsonb':
      return canonicalJson(expected) === canonicalJson(actual);
    case 'boolean':
    case 'text':
    case 'uuid':
      return String(expected) === String(actual);
  }
}

/** The drifts of one row: every column whose value differs. */
export function compareRow<Row extends object>(
  base: Pick<Drift, 'projection' | 'table' | 'key'>,
  columns: ColumnTypes<Row>,
  expected: Row,
  actual: Record<string, unknown>,
): Drift[] {
  const drifts: Drift[] = [];
  for (const [column, type] of Object.entries(columns) as [keyof Row & string, SqlType][]) {
    const want = expected[column];
    const have = actual[column];
    if (!sameValue(type, want, have)) {
      drifts.push({ ...base, kind: 'field_differs', column, expected: want, actual: have });
    }
  }
  return drifts;
}
