import type { SimulationReport } from './runSimulation';

const LABELS: Record<string, string> = {
  invariants: 'invariants',
  event_log_completeness: 'event-log completeness',
  recovery_rate: 'recovery rate',
  duplicates: 'duplicates',
  stale_submitting: 'stale SUBMITTING',
};

function faultLine(counts: Partial<Record<string, number>>): string {
  const entries = Object.entries(counts).filter(([kind]) => kind !== 'none');
  const faulted = entries.reduce((sum, [, count]) => sum + (count ?? 0), 0);
  const total = faulted + (counts['none'] ?? 0);
  const kinds = entries.map(([kind, count]) => `${kind} ${count}`).join(', ');
  return `${faulted}/${total}${kinds === '' ? '' : ` (${kinds})`}`;
}

export function formatSimulation(report: SimulationReport): string[] {
  const statuses = Object.entries(report.finalStatuses)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([status, count]) => `${status} ${count}`)
    .join(', ');
  const virtualHours = (report.driver.virtualMs / 3_600_000).toFixed(1);
  const lines = [
    `staging run: ${report.executions} executions over ${report.hours} h (virtual ${report.virtualStart} → ${report.virtualEnd}, ${virtualHours} h), concurrency ${report.concurrency}, fault rate ${report.faultRate}, seed ${report.seed}`,
    `  wall time ${(report.wallMs / 1000).toFixed(1)} s; database ${report.database.name}${report.database.kept ? ` (kept: ${report.database.url})` : ' (dropped)'}`,
    `  faults injected: orders ${faultLine(report.faults.place_order)}; lookups ${faultLine(report.faults.get_order)}; sweeps ${faultLine(report.faults.list_orders)}`,
    `  worker deaths ${report.driver.workerDeaths}, reconcile rounds ${report.driver.reconcileRounds}, errors ${report.driver.submitErrors + report.driver.reconcileErrors}${report.driver.quiescent ? '' : ', NOT quiescent'}`,
    `  final statuses: ${statuses}`,
    `  run fingerprint ${report.fingerprint} (same seed → same fingerprint)`,
    '',
    'staging metrics:',
  ];
  for (const metric of report.metrics) {
    lines.push(`${metric.ok ? '✅' : '❌'} ${LABELS[metric.name] ?? metric.name}: ${metric.value}`);
    if (!metric.ok) for (const detail of metric.detail) lines.push(`     ${detail}`);
  }
  if (!report.driver.quiescent) lines.push('❌ reconciliation did not reach quiescence');
  for (const error of report.driverErrors) lines.push(`  error: ${error}`);
  lines.push('', report.ok ? 'PASS' : 'FAIL');
  return lines;
}
