/**
 * Tells the fault injector the moment the simulator has taken a scripted fault, by reading the
 * simulator's own log line for it ("simulator fault", with method and path). Until then no other
 * request may reach that endpoint. Without the line (a quieter simulator) the injector falls back to
 * waiting for the faulted call to finish, which is slower but just as exact.
 */
export class FaultSignals {
  private readonly waiters = new Map<string, (() => void)[]>();

  /** Resolves when the simulator reports a fault taken on `method path`. */
  waitFor(method: string, path: string): Promise<void> {
    const key = `${method.toUpperCase()} ${path}`;
    return new Promise((resolve) => {
      const list = this.waiters.get(key) ?? [];
      list.push(resolve);
      this.waiters.set(key, list);
    });
  }

  /** Forgets a waiter whose call finished without the signal (so a later signal is not misread). */
  cancel(method: string, path: string): void {
    const key = `${method.toUpperCase()} ${path}`;
    this.waiters.get(key)?.shift();
  }

  /** A pino destination: one JSON line per log record. */
  readonly destination = {
    write: (line: string): void => {
      if (!line.includes('simulator fault')) return;
      try {
        const record = JSON.parse(line) as { msg?: unknown; method?: unknown; path?: unknown };
        if (
          record.msg !== 'simulator fault' ||
          typeof record.method !== 'string' ||
          typeof record.path !== 'string'
        )
          return;
        const key = `${record.method.toUpperCase()} ${record.path}`;
        this.waiters.get(key)?.shift()?.();
      } catch {
        // Not a JSON record: not ours to read.
      }
    },
  };
}
