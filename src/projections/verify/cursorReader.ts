import type pg from 'pg';

let cursorCounter = 0;

/**
 * Rows of a query, fetched page by page through a server-side cursor inside the caller's transaction
 * (verify runs in one REPEATABLE READ snapshot, so every page sees the same database).
 */
export class CursorReader<Row extends object> {
  private buffer: Row[] = [];
  private index = 0;
  private exhausted = false;
  private declared = false;
  private readonly cursor = `verify_cursor_${++cursorCounter}`;

  constructor(
    private readonly client: pg.ClientBase,
    private readonly sql: string,
    private readonly params: unknown[] = [],
    private readonly pageSize = 2_000,
    /** Parsers for the rows' column types (node-pg's own by default). */
    private readonly types?: pg.CustomTypesConfig,
  ) {}

  /** The next row without consuming it, or undefined at the end. */
  async peek(): Promise<Row | undefined> {
    if (this.index < this.buffer.length) return this.buffer[this.index];
    if (this.exhausted) return undefined;
    if (!this.declared) {
      await this.client.query(`DECLARE ${this.cursor} NO SCROLL CURSOR FOR ${this.sql}`, this.params);
      this.declared = true;
    }
    const result = await this.client.query<Row>({
      text: `FETCH ${this.pageSize} FROM ${this.cursor}`,
      ...(this.types ? { types: this.types } : {}),
    });
    this.buffer = result.rows;
    this.index = 0;
    if (result.rows.length < this.pageSize) this.exhausted = true;
    return this.buffer[0];
  }

  async next(): Promise<Row | undefined> {
    const row = await this.peek();
    if (row !== undefined) this.index++;
    return row;
  }

  async close(): Promise<void> {
    if (this.declared) await this.client.query(`CLOSE ${this.cursor}`);
    this.declared = false;
    this.exhausted = true;
  }
}
