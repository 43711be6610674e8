import type { EventStore, RecordedEvent, StreamReadRequest } from '../../domain/ports/eventStore';
import { orUnavailable } from '../errors';

/** Events per read; policy and control streams hold a few per operator action. */
const PAGE_SIZE = 1_000;
/** More than any policy or control stream holds; a longer one is a bug or abuse, not a workload. */
const MAX_PAGES = 1_000;

export interface Folded<S> {
  readonly state: S;
  /** Revision of the last event folded; -1n when the stream has no events. */
  readonly revision: bigint;
}

/**
 * The state of one stream, always read up to the stream's latest event (never stale), folded
 * incrementally: each call reads only the events that are new since the previous call. Used for
 * streams read on every request (trading-control, policies).
 */
export class FoldedStream<S> {
  private cached: Folded<S> | undefined;

  constructor(
    private readonly store: EventStore,
    readonly streamId: string,
    private readonly initial: () => S,
    private readonly evolve: (state: S, event: RecordedEvent) => S,
  ) {}

  /**
   * Always up to the stream's latest event: one read of what is new since the cached state (on a
   * store that can, a query that returns nothing when nothing changed).
   */
  async current(): Promise<Folded<S>> {
    for (let page = 0; page < MAX_PAGES; page++) {
      const request = this.nextRead();
      const [events = []] = await orUnavailable(() => this.store.readStreams([request], PAGE_SIZE));
      const folded = this.absorb(request, events);
      if (folded !== undefined && events.length < PAGE_SIZE) return folded;
    }
    throw new Error(`stream ${this.streamId} is longer than ${MAX_PAGES} pages of ${PAGE_SIZE} events`);
  }

  /** What to read to bring the cached state up to date (for a caller that reads several streams at once). */
  nextRead(): StreamReadRequest {
    return { streamId: this.streamId, fromRevision: (this.cached?.revision ?? -1n) + 1n };
  }

  /**
   * The state after `events`, read for `request` (at most `maxCount` of them). A full page may have
   * more after it, and a cache reset meanwhile leaves nothing to fold them onto: then it reads here.
   */
  async advance(
    request: StreamReadRequest,
    events: readonly RecordedEvent[],
    maxCount: number,
  ): Promise<Folded<S>> {
    const folded = this.absorb(request, events);
    return folded !== undefined && events.length < maxCount ? folded : this.current();
  }

  /**
   * Folds `events` (read from `request.fromRevision` on) onto the cache. Another caller may have moved
   * the cache on meanwhile: events it already folded are skipped (the stream is append-only, so the
   * newer cache is the same history). Undefined when the cache is older than the request (a reset).
   */
  private absorb(request: StreamReadRequest, events: readonly RecordedEvent[]): Folded<S> | undefined {
    const cached = this.cached ?? { state: this.initial(), revision: -1n };
    if (cached.revision < request.fromRevision - 1n) return undefined;
    let { state, revision } = cached;
    for (const event of events) {
      if (event.revision <= revision) continue;
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
