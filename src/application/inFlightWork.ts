/**
 * Counts work in progress so that a shutdown can wait for it. A client that hangs up does not stop
 * its request's handler (it may be between recording an intent and recording the exchange's answer),
 * so the server closing its sockets is not enough: the pool must outlive every handler.
 */
export class InFlightWork {
  private running = 0;
  private waiters: (() => void)[] = [];

  async run<T>(work: () => Promise<T>): Promise<T> {
    this.running += 1;
    try {
      return await work();
    } finally {
      this.running -= 1;
      if (this.running === 0) {
        const waiters = this.waiters;
        this.waiters = [];
        for (const wake of waiters) wake();
      }
    }
  }

  count(): number {
    return this.running;
  }

  /** Resolves true when nothing runs any more, false if `timeoutMs` passed first. */
  drain(timeoutMs: number): Promise<boolean> {
    if (this.running === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      timer.unref();
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}
