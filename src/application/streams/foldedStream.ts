import type { EventStore, RecordedEvent } from '../../domain/ports/eventStore';
import { lastRevisionOf, readStreamEvents } from './readStreamEvents';

export interface Folded<S> {
  readonly state: S;
  /** Revision of the last event folded; -1n when the stream has no events. */
  readonly revision: bigint;
}

/**
 * The state of one stream, always read up to the stream's latest event (never stale), folded
 * incrementally: each call costs one small read (the last revision) and reads only the events that
 * are new since the previous call. Used for streams read on every request (trading-control, policies).
 */
export class FoldedStream<S> {
  private cached: Folded<S> | undefined;

  constructor(
    private readonly store: EventStore,
    readonly streamId: string,
    private readonly initial: () => S,
    private readonly evolve: (state: S, event: RecordedEvent) => S,
  ) {}

  async current(): Promise<Folded<S>> {
    const last = await lastRevisionOf(this.store, this.streamId);
    const cached = this.cached;
    if (cached !== undefined && cached.revision === last) return cached;
    // A cache ahead of the stream cannot happen with an append-only store; start over rather than trust it.
    const base =
      cached !== undefined && cached.revision < last ? cached : { state: this.initial(), revision: -1n };
    if (last < 0n) return this.keep(base);
    const events = await readStreamEvents(this.store, this.streamId, base.revision + 1n);
    let state = base.state;
    let revision = base.revision;
    for (const event of events) {
      if (event.revision !== revision + 1n) {
        throw new Error(
          `stream ${this.streamId}: expected revision ${revision + 1n}, read ${event.revision}`,
        );
      }
      state = this.evolve(state, event);
      revision = event.revision;
    }
    return this.keep({ state, revision });
  }

  /** Forget the cache (e.g. after an append whose events should be re-read). */
  reset(): void {
    this.cached = undefined;
  }

  private keep(folded: Folded<S>): Folded<S> {
    if (this.cached === undefined || folded.revision >= this.cached.revision) this.cached = folded;
    return folded;
  }
}

/** The expected revision to append after `revision` (the ports' convention). */
export function expectedAfter(revision: bigint): 'no_stream' | bigint {
  return revision < 0n ? 'no_stream' : revision;
}
