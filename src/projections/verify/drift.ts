export type DriftKind = 'missing_row' | 'extra_row' | 'field_differs' | 'replay_failed';

/** One difference between the read model and a replay of the streams. */
export interface Drift {
  readonly projection: string;
  readonly table: string;
  /** The row's key, e.g. a clientOrderId, or `<clientOrderId>#<revision>` in the audit log. */
  readonly key: string;
  readonly kind: DriftKind;
  readonly column?: string;
  readonly expected?: unknown;
  readonly actual?: unknown;
  readonly message?: string;
}

/** Keeps the first `limit` drifts and counts them all (a broken table should not exhaust memory). */
export class DriftCollector {
  readonly drifts: Drift[] = [];
  total = 0;

  constructor(readonly limit: number) {}

  add(drift: Drift): void {
    this.total++;
    if (this.drifts.length < this.limit) this.drifts.push(drift);
  }
}

export function describeDrift(drift: Drift): string {
  const where = `${drift.table} ${drift.key}`;
  switch (drift.kind) {
    case 'missing_row':
      return `missing row: ${where} (in the streams, not in the read model)`;
    case 'extra_row':
      return `extra row: ${where} (in the read model, not in the streams)`;
    case 'field_differs':
      return `field differs: ${where} ${drift.column}: read model ${show(drift.actual)}, replay ${show(drift.expected)}`;
    case 'replay_failed':
      return `replay failed: ${where}: ${drift.message ?? ''}`;
  }
}

function show(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(value) ?? 'undefined';
}
