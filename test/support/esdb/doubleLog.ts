/**
 * The EventStoreDB test double's storage: one in-memory transaction log. Test support, not a product.
 *
 * Positions follow the server: every event's prepare position is its offset in the log (growing by
 * the record's size); the events of one append share one commit position, the first one's prepare;
 * `$all` is ordered by (commit, prepare). The position reported for an append is the commit record's,
 * (last prepare, last prepare): for a single event that is the event's own position.
 */
export interface StoredEvent {
  readonly streamId: string;
  readonly revision: bigint;
  readonly id: string;
  readonly type: string;
  readonly contentType: string;
  readonly data: Uint8Array;
  readonly metadata: Uint8Array;
  readonly createdTicks: bigint;
  readonly commit: bigint;
  readonly prepare: bigint;
}

export interface ProposedEvent {
  readonly id: string;
  readonly type: string;
  readonly contentType: string;
  readonly data: Uint8Array;
  readonly metadata: Uint8Array;
}

export type Expected =
  | { kind: 'any' }
  | { kind: 'no_stream' }
  | { kind: 'stream_exists' }
  | { kind: 'revision'; revision: bigint };

export type AppendOutcome =
  | { ok: true; currentRevision: bigint; commit: bigint; prepare: bigint }
  | { ok: false; currentRevision: bigint | undefined };

export interface LogPosition {
  readonly commit: bigint;
  readonly prepare: bigint;
}

const RECORD_OVERHEAD_BYTES = 96n;
/** The gRPC API sends `created` as ticks of 100 ns since the Unix epoch. */
const TICKS_PER_MS = 10_000n;

export function comparePosition(a: LogPosition, b: LogPosition): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}

export class DoubleLog {
  readonly events: StoredEvent[] = [];
  private readonly streams = new Map<string, StoredEvent[]>();
  private nextPrepare = 0n;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly nowMs: () => number = () => Date.now()) {
    // A fresh node writes a few system events before anyone connects, as a real one does.
    const settings = new TextEncoder().encode('{"$userStreamAcl":{"$r":"$all"}}');
    this.append('$settings', { kind: 'any' }, [
      {
        id: '00000000-0000-4000-8000-000000000001',
        type: '$settings',
        contentType: 'application/json',
        data: settings,
        metadata: new Uint8Array(),
      },
    ]);
  }

  stream(streamId: string): readonly StoredEvent[] | undefined {
    return this.streams.get(streamId);
  }

  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The index of the first event at or after `position` in `$all` order. */
  indexAtOrAfter(position: LogPosition): number {
    let low = 0;
    let high = this.events.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (comparePosition(this.events[middle]!, position) < 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** The server's commit decision: write, recognise a retried append (idempotent), or refuse. */
  append(streamId: string, expected: Expected, proposed: readonly ProposedEvent[]): AppendOutcome {
    const stream = this.streams.get(streamId) ?? [];
    const current = BigInt(stream.length) - 1n;
    const refuse = (): AppendOutcome => ({
      ok: false,
      currentRevision: stream.length === 0 ? undefined : current,
    });
    const first = proposed[0];
    if (!first)
      return stream.length === 0
        ? refuse()
        : { ok: true, currentRevision: current, ...this.reported(stream.at(-1)!) };
    let before: bigint;
    switch (expected.kind) {
      case 'any': {
        const index = stream.findIndex((event) => event.id === first.id);
        if (index >= 0) return this.idempotent(stream, BigInt(index) - 1n, proposed) ?? refuse();
        before = current;
        break;
      }
      case 'stream_exists':
        if (stream.length === 0) return refuse();
        before = current;
        break;
      case 'no_stream':
        before = -1n;
        break;
      case 'revision':
        before = expected.revision;
        break;
    }
    if (before !== current) {
      if (before < current) return this.idempotent(stream, before, proposed) ?? refuse();
      return refuse();
    }
    return this.write(streamId, stream, proposed);
  }

  /** The very same ids right after `before`: the append was already done; answer as the first time. */
  private idempotent(
    stream: StoredEvent[],
    before: bigint,
    proposed: readonly ProposedEvent[],
  ): AppendOutcome | undefined {
    const start = Number(before + 1n);
    const matches = proposed.every((event, offset) => stream[start + offset]?.id === event.id);
    if (!matches) return undefined;
    const last = stream[start + proposed.length - 1]!;
    return { ok: true, currentRevision: last.revision, ...this.reported(last) };
  }

  private reported(last: StoredEvent): LogPosition {
    return { commit: last.prepare, prepare: last.prepare };
  }

  private write(streamId: string, stream: StoredEvent[], proposed: readonly ProposedEvent[]): AppendOutcome {
    const commit = this.nextPrepare;
    const createdTicks = BigInt(this.nowMs()) * TICKS_PER_MS;
    for (const event of proposed) {
      const stored: StoredEvent = {
        ...event,
        streamId,
        revision: BigInt(stream.length),
        createdTicks,
        commit,
        prepare: this.nextPrepare,
      };
      this.nextPrepare +=
        RECORD_OVERHEAD_BYTES +
        BigInt(event.data.length + event.metadata.length + event.type.length + streamId.length);
      stream.push(stored);
      this.events.push(stored);
    }
    this.streams.set(streamId, stream);
    for (const listener of [...this.listeners]) listener();
    const last = stream.at(-1)!;
    return { ok: true, currentRevision: last.revision, ...this.reported(last) };
  }
}
