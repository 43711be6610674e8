/** What a long command reports while it works: a bar on a terminal, a plain line now and then otherwise. */
export interface ProgressReporter {
  update(done: number, detail?: string): void;
  finish(done: number, detail?: string): void;
}

export interface ProgressOptions {
  readonly label: string;
  /** Unknown: the count is shown without a bar. */
  readonly total?: number;
  readonly unit?: string;
  readonly stream?: Pick<NodeJS.WriteStream, 'write'> & {
    readonly isTTY?: boolean;
    readonly columns?: number;
  };
  /** Off (`--json` or `--quiet`): nothing is written. */
  readonly enabled?: boolean;
  readonly nowMs?: () => number;
  /** Redraws of the bar at most this often. */
  readonly ttyIntervalMs?: number;
  /** Plain lines (a log, CI) at most this often. */
  readonly plainIntervalMs?: number;
}

const BAR_WIDTH = 30;

export function createProgressReporter(options: ProgressOptions): ProgressReporter {
  const stream = options.stream ?? process.stderr;
  const enabled = options.enabled ?? true;
  const tty = stream.isTTY === true;
  const nowMs = options.nowMs ?? Date.now;
  const intervalMs = tty ? (options.ttyIntervalMs ?? 100) : (options.plainIntervalMs ?? 5_000);
  const unit = options.unit ?? 'events';
  // The first line waits one interval too, so that a quick run prints its final line only.
  let lastWriteMs = nowMs();
  let lastLength = 0;

  const render = (done: number, detail: string | undefined): string => {
    const total = options.total;
    const counts = total === undefined ? `${done} ${unit}` : `${Math.min(done, total)}/${total} ${unit}`;
    const suffix = detail === undefined || detail === '' ? '' : ` · ${detail}`;
    if (total === undefined || total <= 0) return `${options.label}: ${counts}${suffix}`;
    const ratio = Math.min(1, done / total);
    const percent = `${Math.floor(ratio * 100)}%`.padStart(4);
    if (!tty) return `${options.label}: ${percent} ${counts}${suffix}`;
    const filled = Math.round(ratio * BAR_WIDTH);
    return `${options.label} [${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}] ${percent} ${counts}${suffix}`;
  };

  const write = (line: string, final: boolean) => {
    if (tty) {
      const width = Math.max(20, (stream.columns ?? 120) - 1);
      const clipped = line.length > width ? line.slice(0, width) : line;
      stream.write(`\r${clipped.padEnd(lastLength)}${final ? '\n' : ''}`);
      lastLength = clipped.length;
    } else {
      stream.write(`${line}\n`);
    }
  };

  return {
    update(done, detail) {
      if (!enabled) return;
      const now = nowMs();
      if (now - lastWriteMs < intervalMs) return;
      lastWriteMs = now;
      write(render(done, detail), false);
    },
    finish(done, detail) {
      if (!enabled) return;
      write(render(done, detail), true);
    },
  };
}
