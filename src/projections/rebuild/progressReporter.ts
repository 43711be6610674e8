import type { RebuildProgress } from './rebuildProjection';

export interface ProgressOutput {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

const BAR_WIDTH = 30;

function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  const minutes = Math.floor(seconds / 60);
  return `${minutes}:${String(seconds % 60).padStart(2, '0')}`;
}

function formatCount(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

export function describeProgress(progress: RebuildProgress): string {
  const perSecond = progress.eventsApplied / Math.max(progress.elapsedMs / 1000, 1e-3);
  const parts = [`${progress.projection}: ${progress.phase}`];
  if (progress.eventsTotal !== null && progress.eventsTotal > 0) {
    const percent = Math.min(100, (progress.eventsApplied / progress.eventsTotal) * 100);
    parts.push(
      `${formatCount(progress.eventsApplied)}/${formatCount(progress.eventsTotal)} events (${percent.toFixed(0)}%)`,
    );
  } else {
    parts.push(`${formatCount(progress.eventsApplied)} events`);
  }
  parts.push(`${formatCount(perSecond)} events/s`);
  if (progress.phase === 'copying' && progress.eventsTotal !== null && perSecond > 0) {
    parts.push(`ETA ${formatDuration(((progress.eventsTotal - progress.eventsApplied) / perSecond) * 1000)}`);
  }
  parts.push(`elapsed ${formatDuration(progress.elapsedMs)}`);
  return parts.join(', ');
}

function bar(progress: RebuildProgress): string {
  if (progress.eventsTotal === null || progress.eventsTotal === 0) return '';
  const filled = Math.round(Math.min(1, progress.eventsApplied / progress.eventsTotal) * BAR_WIDTH);
  return `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] `;
}

/**
 * On a terminal: one line redrawn in place with a bar (at most every `redrawMs`). Otherwise (a log,
 * a pipe): a plain line every `lineEveryMs` and at each phase change, so logs stay readable.
 */
export function createProgressReporter(
  output: ProgressOutput,
  options: { redrawMs?: number; lineEveryMs?: number } = {},
): (progress: RebuildProgress) => void {
  let lastMs = -Infinity;
  let lastPhase = '';
  const tty = output.isTTY === true;
  return (progress) => {
    const now = performance.now();
    const phaseChanged = progress.phase !== lastPhase;
    const interval = tty ? (options.redrawMs ?? 100) : (options.lineEveryMs ?? 5_000);
    if (!phaseChanged && now - lastMs < interval) return;
    lastMs = now;
    lastPhase = progress.phase;
    const text = describeProgress(progress);
    if (tty) {
      const line = `${bar(progress)}${text}`.slice(0, Math.max(20, (output.columns ?? 120) - 1));
      output.write(`\r\x1b[2K${line}${progress.phase === 'done' ? '\n' : ''}`);
    } else {
      output.write(`${text}\n`);
    }
  };
}
