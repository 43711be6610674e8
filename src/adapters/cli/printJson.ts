/** JSON for `--json`: bigints (positions, revisions) as strings, dates as ISO strings. */
export function toJson(value: unknown, indent?: number): string {
  return JSON.stringify(
    value,
    (_key, item: unknown) => (typeof item === 'bigint' ? item.toString() : item),
    indent,
  );
}

export function printJson(value: unknown): void {
  process.stdout.write(`${toJson(value, 2)}\n`);
}
