/**
 * A table's columns with their SQL types, the one list from which the multi-row writes
 * (`json_to_recordset`), the upsert's SET list and verify's comparisons are all derived.
 */
export type SqlType =
  'text' | 'numeric' | 'integer' | 'bigint' | 'boolean' | 'jsonb' | 'timestamptz' | 'uuid' | 'numeric(20,0)';

export type ColumnTypes<Row> = { readonly [K in keyof Row]: SqlType };

/** `x(col type, ...)`: the column definition list of `json_to_recordset($1::json) AS x(...)`. */
export function recordsetDefinition<Row>(columns: ColumnTypes<Row>): string {
  return Object.entries(columns)
    .map(([name, type]) => `${name} ${String(type)}`)
    .join(', ');
}

export function columnList<Row>(columns: ColumnTypes<Row>): string {
  return Object.keys(columns).join(', ');
}

/**
 * Rows to a JSON array for `json_to_recordset`: one parameter and one round trip for a whole batch,
 * however many rows. Bigints (positions) travel as strings.
 */
export function rowsToJson(rows: readonly object[]): string {
  return JSON.stringify(rows, (_key, value: unknown) =>
    typeof value === 'bigint' ? value.toString() : value,
  );
}
