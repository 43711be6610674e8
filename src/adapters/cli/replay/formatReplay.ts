import type { Execution } from '../../../domain/execution';
import { describeAsOf, type AsOf } from './asOf';
import { formatKeyFields } from './describeExecutionEvent';
import type { ExecutionReplay, StreamFinding } from './executionReplay';

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  // The last column (free text) is never padded.
  const widths = header.map((title, column) =>
    column === header.length - 1 ? 0 : Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

export function formatTimeline(replay: ExecutionReplay): string[] {
  const rows = replay.rows.map((row) => [
    row.position.toString(),
    row.revision.toString(),
    row.recordedAt,
    row.type,
    `${row.statusAfter}${row.illegal ? ' (illegal)' : ''}`,
    row.unreadable === null ? formatKeyFields(row.fields) : `UNREADABLE: ${row.unreadable}`,
  ]);
  return table(['position', 'rev', 'recorded at', 'event', 'status after', 'key fields'], rows).map(
    (line) => `  ${line}`,
  );
}

function describeState(state: Execution): string[] {
  const order = [
    `user ${state.userId}`,
    `${state.side} ${state.orderType} ${state.market}`,
    state.amount === null ? `amountQuote ${state.amountQuote}` : `amount ${state.amount}`,
    ...(state.price === null ? [] : [`price ${state.price}`]),
  ].join(', ');
  const lines = [
    `  status ${state.status}${state.rejectCode === null ? '' : ` (${state.rejectCode}: ${state.rejectReason})`}`,
    `  order: ${order}`,
    `  exchange order id: ${state.exchangeOrderId ?? '-'}${state.exchangeStatus === null ? '' : ` (${state.exchangeStatus})`}`,
    `  filled ${state.filledAmount} (quote ${state.filledAmountQuote}, fee ${state.feePaid}${state.feeCurrency === null ? '' : ` ${state.feeCurrency}`}, ${state.fillIds.length} fills)`,
    `  submitting at ${state.submittingAt ?? '-'}, submitted at ${state.submittedAt ?? '-'}, ended at ${state.endedAt ?? '-'}`,
    `  reconcile attempts ${state.reconcileAttempts}, re-sends ${state.retries}, needed reconciliation: ${state.neededReconciliation ? 'yes' : 'no'}`,
  ];
  if (state.endReason !== null) lines.push(`  end reason: ${state.endReason}`);
  if (state.abandonNote !== null)
    lines.push(`  abandoned by ${state.abandonedBy ?? '-'}: ${state.abandonNote}`);
  if (state.lastError !== null) {
    const error = state.lastError;
    lines.push(
      `  last error (${error.source}): ${error.errorClass ?? '-'} http ${error.httpStatus ?? '-'} code ${error.errorCode ?? '-'}: ${error.message}`,
    );
  }
  return lines;
}

export function formatFindings(findings: readonly StreamFinding[], maxShown = 200): string[] {
  if (findings.length === 0) return ['invariants: ✅ all hold'];
  const lines = [`invariants: ❌ ${findings.length} violation${findings.length === 1 ? '' : 's'}`];
  for (const finding of findings.slice(0, maxShown)) {
    lines.push(`  ❌ ${finding.check} [${finding.clientOrderId}]: ${finding.message}`);
  }
  if (findings.length > maxShown)
    lines.push(`  … and ${findings.length - maxShown} more (use --json for all)`);
  return lines;
}

export function formatExecutionReplay(replay: ExecutionReplay, asOf: AsOf | undefined): string[] {
  const shown = replay.rows.length;
  const cut = shown === replay.totalEvents ? '' : ` (${replay.totalEvents - shown} recorded later not shown)`;
  const lines = [
    `execution ${replay.clientOrderId} — stream ${replay.streamId}, ${shown} event${shown === 1 ? '' : 's'} as of ${describeAsOf(asOf)}${cut}`,
    ...formatTimeline(replay),
    `final state: ${replay.finalStatus}`,
  ];
  if (replay.state !== null) lines.push(...describeState(replay.state));
  if (replay.replayError !== null) lines.push(`  ❌ replay failed: ${replay.replayError}`);
  return lines;
}

/** One line per execution, for `replay --user`. */
export function formatReplaySummary(
  replays: readonly ExecutionReplay[],
  findings: readonly StreamFinding[],
): string[] {
  const flagged = new Set(findings.map((finding) => finding.clientOrderId));
  const rows = replays.map((replay) => {
    const state = replay.state;
    const amount = state === null ? '-' : (state.amount ?? `${state.amountQuote} quote`);
    return [
      replay.clientOrderId,
      state?.market ?? '-',
      state?.side ?? '-',
      amount,
      replay.finalStatus,
      String(replay.rows.length),
      state?.submittingAt ?? state?.rejectedAt ?? '-',
      `${state?.exchangeOrderId ?? '-'}${flagged.has(replay.clientOrderId) ? '  ❌' : ''}`,
    ];
  });
  return table(
    ['clientOrderId', 'market', 'side', 'amount', 'status', 'events', 'proposed at', 'order id'],
    rows,
  );
}
