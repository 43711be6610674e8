import type pg from 'pg';
import type { ColumnTypes } from './sqlColumns';

/*
 * COPY ... FROM STDIN for node-postgres without another dependency: a "submittable" (the interface
 * client.query() accepts besides text; pg-copy-streams uses the same one) that sends the rows in
 * COPY's text format. COPY is the cheapest way into PostgreSQL: no JSON or array literal to parse.
 */

interface CopyConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
}

const CHUNK_BYTES = 256 * 1024;

class CopyFromStdin {
  readonly done: Promise<number>;
  private resolve!: (rows: number) => void;
  private reject!: (error: Error) => void;
  private error: Error | undefined;
  private rowCount = 0;
  private settled = false;

  constructor(
    private readonly text: string,
    private readonly body: string,
  ) {
    this.done = new Promise<number>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  submit(connection: CopyConnection): void {
    connection.query(this.text);
  }

  handleCopyInResponse(connection: CopyConnection): void {
    const buffer = Buffer.from(this.body, 'utf8');
    for (let offset = 0; offset < buffer.length; offset += CHUNK_BYTES) {
      connection.sendCopyFromChunk(buffer.subarray(offset, offset + CHUNK_BYTES));
    }
    connection.endCopyFrom();
  }

  handleCommandComplete(message: { text?: string }): void {
    const match = /^COPY (\d+)/.exec(message.text ?? '');
    if (match) this.rowCount = Number(match[1]);
  }

  handleError(error: Error): void {
    this.error = error;
    // A broken connection may never send ReadyForQuery: settle now.
    this.settle();
  }

  handleReadyForQuery(): void {
    this.settle();
  }

  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyData(): void {}

  private settle(): void {
    if (this.settled) return;
    this.settled = true;
    if (this.error) this.reject(this.error);
    else this.resolve(this.rowCount);
  }
}

function escapeCopyText(value: string): string {
  return /[\\\t\n\r]/.test(value)
    ? value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r')
    : value;
}

function copyField(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  switch (typeof value) {
    case 'string':
      return escapeCopyText(value);
    case 'number':
    case 'bigint':
      return String(value);
    case 'boolean':
      return value ? 't' : 'f';
    default:
      return value instanceof Date ? value.toISOString() : escapeCopyText(JSON.stringify(value));
  }
}

/** Rows in COPY text format, columns in the order of `columns`. */
export function toCopyText<Row extends object>(columns: ColumnTypes<Row>, rows: readonly Row[]): string {
  const names = Object.keys(columns) as (keyof Row)[];
  const lines: string[] = new Array<string>(rows.length);
  for (let index = 0; index < rows.length; index++) {
    const row = rows[index]!;
    let line = '';
    for (let column = 0; column < names.length; column++) {
      if (column > 0) line += '\t';
      line += copyField(row[names[column]!]);
    }
    lines[index] = line;
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/** COPY `table (columns)` FROM STDIN with the given rows; returns the number of rows copied. */
export async function copyRows<Row extends object>(
  client: pg.ClientBase,
  table: string,
  columns: ColumnTypes<Row>,
  rows: readonly Row[],
): Promise<number> {
  if (rows.length === 0) return 0;
  const copy = new CopyFromStdin(
    `COPY ${table} (${Object.keys(columns).join(', ')}) FROM STDIN`,
    toCopyText(columns, rows),
  );
  (client as unknown as { query(submittable: CopyFromStdin): void }).query(copy);
  return copy.done;
}

/**
 * A session-local staging table with the given columns, emptied at each commit: rows are COPYed in,
 * then moved into the real table with INSERT ... SELECT ... ON CONFLICT (COPY cannot upsert).
 */
export async function ensureStagingTable<Row extends object>(
  client: pg.ClientBase,
  name: string,
  columns: ColumnTypes<Row>,
): Promise<string> {
  const table = `pg_temp.${name}`;
  const definition = Object.entries(columns)
    .map(([column, type]) => `${column} ${String(type)}`)
    .join(', ');
  await client.query(`CREATE TEMP TABLE IF NOT EXISTS ${name} (${definition}) ON COMMIT DELETE ROWS`);
  return table;
}
