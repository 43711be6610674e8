import type { Readable } from 'node:stream';

/**
 * Pulls items from an object-mode stream in batches of at most `maxItems`. Nothing is read while the
 * caller handles a batch, so the stream's buffer fills, the gRPC call stops reading and HTTP/2 flow
 * control pushes back on the server: that is the subscription's backpressure.
 */
export class BatchReader<T> {
  private failure: { error: unknown } | undefined;
  private ended = false;
  private wake: (() => void) | undefined;

  constructor(private readonly stream: Readable) {
    const wakeUp = () => {
      const wake = this.wake;
      this.wake = undefined;
      wake?.();
    };
    stream.on('readable', wakeUp);
    stream.on('end', () => {
      this.ended = true;
      wakeUp();
    });
    stream.on('close', () => {
      this.ended = true;
      wakeUp();
    });
    stream.on('error', (error: unknown) => {
      this.failure ??= { error };
      wakeUp();
    });
  }

  /** Ends a pending `next()` with `undefined`, e.g. when the subscription is stopped. */
  abort(): void {
    this.ended = true;
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** The next batch, `undefined` once the stream has ended; rejects with the stream's error. */
  async next(maxItems: number): Promise<T[] | undefined> {
    // Each turn either returns or waits for the stream to change (data, end, error, abort).
    for (;;) {
      const items: T[] = [];
      while (items.length < maxItems && !this.failure) {
        const item = this.stream.read() as T | null;
        if (item === null) break;
        items.push(item);
      }
      if (items.length > 0) return items;
      if (this.failure) throw this.failure.error;
      if (this.ended || this.stream.readableEnded || this.stream.destroyed) return undefined;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }
}
