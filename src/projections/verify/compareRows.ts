import { Decimal } from 'decimal.js';
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

function timeMs(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.getTime();
  return Date.parse(String(value));
}

/** Equality by the column's SQL type: numerics by value, times by instant, jsonb by content. */
export function sameValue(type: SqlType, expected: unknown, actual: unknown): boolean {
  if (expected === null || expected === undefined || actual === null || actual === undefined) {
    return (expected ?? null) === (actual ?? null);
  }
  switch (type) {
    case 'numeric':
    case 'numeric(20,0)':
    case 'bigint':
      try {
        return new Decimal(String(expected)).eq(new Decimal(String(actual)));
      } catch {
        return false;
      }
    case 'integer':
      return Number(expected) === Number(actual);
    case 'timestamptz':
      return timeMs(expected) === timeMs(actual);
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
