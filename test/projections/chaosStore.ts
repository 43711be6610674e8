import type {
  AppendResult,
  EventStore,
  EventToAppend,
  ExpectedRevision,
  GlobalPosition,
  ReadAllOptions,
  ReadAllResult,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeToAllOptions,
  Subscription,
  StreamReadRequest,
} from '../../src/domain/ports/eventStore';
import type { ProjectionApplier } from '../../src/projections/projection';

/** A small seeded generator (mulberry32), so that a failing property replays the same chaos. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export interface ChaosOptions {
  readonly random: () => number;
  /** Probability that a read starts again from an earlier position (events delivered again). */
  readonly redeliveryRate: number;
  readonly maxBatch: number;
}

/**
 * The real store, with a subscription that misbehaves the way real ones may: batches of random
 * sizes, and redelivery (it rewinds to a position it already delivered past).
 */
export class ChaosStore implements EventStore {
  redeliveries = 0;

  constructor(
    private readonly inner: EventStore,
    private readonly chaos: ChaosOptions,
  ) {}

  appendToStream(
    streamId: string,
    events: readonly EventToAppend[],
    options: { expectedRevision: ExpectedRevision },
  ): Promise<AppendResult> {
    return this.inner.appendToStream(streamId, events, options);
  }

  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    return this.inner.readStream(streamId, options);
  }

  readStreams(requests: readonly StreamReadRequest[], maxCountPerStream: number): Promise<RecordedEvent[][]> {
    return this.inner.readStreams(requests, maxCountPerStream);
  }

  readAll(options: ReadAllOptions): Promise<ReadAllResult> {
    return this.inner.readAll(options);
  }

  subscribeToAll(options: SubscribeToAllOptions): Subscription {
    let stopped = false;
    const { random, redeliveryRate, maxBatch } = this.chaos;
    const done = (async () => {
      const delivered: (GlobalPosition | undefined)[] = [];
      let after = options.after;
      let caughtUp = false;
      for (let round = 0; round < 100_000 && !stopped; round++) {
        if (delivered.length > 0 && random() < redeliveryRate) {
          after = delivered[Math.floor(random() * delivered.length)];
          this.redeliveries++;
        }
        const page = await this.inner.readAll({
          ...(after ? { after } : {}),
          maxCount: 1 + Math.floor(random() * maxBatch),
          ...(options.streamPrefixes ? { streamPrefixes: options.streamPrefixes } : {}),
        });
        if (stopped) return;
        if (page.events.length > 0) {
          await options.onEvents(page.events);
          delivered.push(after);
          after = page.lastPosition;
          continue;
        }
        if (!caughtUp) {
          caughtUp = true;
          options.onCaughtUp?.();
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    return {
      done,
      async stop() {
        stopped = true;
        await done.catch(() => undefined);
      },
    };
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** An applier that crashes at random, before or after writing (the transaction then rolls back). */
export function crashingApplier(
  inner: ProjectionApplier,
  random: () => number,
  crashRate: number,
  counters: { crashes: number },
): ProjectionApplier {
  return {
    async apply(client, events) {
      if (random() < crashRate) {
        counters.crashes++;
        throw new Error('crash before writing');
      }
      await inner.apply(client, events);
      if (random() < crashRate) {
        counters.crashes++;
        throw new Error('crash after writing, before commit');
      }
    },
    committed: () => inner.committed(),
    rolledBack: () => inner.rolledBack(),
  };
}
