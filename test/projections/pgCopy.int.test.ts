import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyRows, ensureStagingTable, toCopyText } from '../../src/projections/pgCopy';
import type { ColumnTypes } from '../../src/projections/sqlColumns';
import { createTestDatabase, type TestDatabase } from '../support/testDatabase';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

interface Row {
  id: number;
  label: string | null;
  amount: string | null;
  flag: boolean;
  details: Record<string, unknown> | null;
  at: string;
}

const COLUMNS: ColumnTypes<Row> = {
  id: 'integer',
  label: 'text',
  amount: 'numeric',
  flag: 'boolean',
  details: 'jsonb',
  at: 'timestamptz',
};

const NASTY = [
  'tab\there',
  'line\nbreak',
  'carriage\rreturn',
  'back\\slash',
  '\\N',
  'naïve ünïcödé 💶',
  '',
  ' ',
];

describe('COPY FROM STDIN', () => {
  it('writes every value back exactly, including tabs, newlines, backslashes, \\N and unicode', async () => {
    const rows: Row[] = Array.from({ length: 1_000 }, (_, id) => ({
      id,
      label: id % 10 === 9 ? null : (NASTY[id % NASTY.length] ?? 'x'),
      amount: id % 7 === 0 ? null : `${id}.${String(id).padStart(8, '0')}`,
      flag: id % 2 === 0,
      details: id % 5 === 0 ? null : { note: NASTY[id % NASTY.length], nested: { n: id, list: [1, 'a\tb'] } },
      at: new Date(Date.UTC(2025, 0, 1) + id * 1_001).toISOString(),
    }));
    const client = await database.pool.connect();
    try {
      await client.query('BEGIN');
      const staging = await ensureStagingTable(client, 'copy_test', COLUMNS);
      expect(await copyRows(client, staging, COLUMNS, rows)).toBe(rows.length);
      const back = await client.query<Row & { at: Date; amount: string | null }>(
        `SELECT id, label, amount::text AS amount, flag, details, at FROM ${staging} ORDER BY id`,
      );
      expect(back.rows.map((row) => ({ ...row, at: row.at.toISOString() }))).toEqual(rows);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
  });

  it('reports a bad row as an error and leaves the connection usable', async () => {
    const client = await database.pool.connect();
    try {
      await client.query('BEGIN');
      const staging = await ensureStagingTable(client, 'copy_bad', COLUMNS);
      const bad = [
        {
          id: 1,
          label: 'x',
          amount: 'not a number',
          flag: true,
          details: null,
          at: '2025-01-01T00:00:00.000Z',
        },
      ];
      await expect(copyRows(client, staging, COLUMNS, bad)).rejects.toThrow(/numeric/);
      await client.query('ROLLBACK');
      expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      client.release();
    }
  });

  it('encodes NULL as \\N and escapes the specials', () => {
    expect(
      toCopyText(COLUMNS, [
        { id: 1, label: 'a\tb\\c\nd', amount: null, flag: false, details: { k: 'v' }, at: 't' },
      ]),
    ).toBe('1\ta\\tb\\\\c\\nd\t\\N\tf\t{"k":"v"}\tt\n');
  });
});
