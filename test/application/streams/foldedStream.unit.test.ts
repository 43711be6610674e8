import { describe, expect, it } from 'vitest';
import { FoldedStream } from '../../../src/application/streams/foldedStream';
import type { RecordedEvent } from '../../../src/domain/ports/eventStore';
import { MemoryEventStore } from '../../adapters/cli/support/memoryEventStore';

const STREAM = 'user-policy-folded';

/** A fold that shows every event it saw, in order: a skipped or repeated event changes the answer. */
function setUp() {
  const store = new MemoryEventStore();
  let reads = 0;
  const counting = Object.assign(Object.create(store) as MemoryEventStore, {
    readStreams: (...args: Parameters<MemoryEventStore['readStreams']>) => {
      reads++;
      return store.readStreams(...args);
    },
  });
  const folded = new FoldedStream<string[]>(
    counting,
    STREAM,
    () => [],
    (state, event: RecordedEvent) => [...state, event.type],
  );
  const add = (...types: string[]) =>
    types.forEach((type) => store.add({ streamId: STREAM, type, data: {} }));
  return { store, folded, add, reads: () => reads };
}

describe('FoldedStream', () => {
  it('reads only what is new, once per call, and is never stale', async () => {
    const { folded, add, reads } = setUp();
    expect(await folded.current()).toEqual({ state: [], revision: -1n });
    add('A', 'B');
    expect(await folded.current()).toEqual({ state: ['A', 'B'], revision: 1n });
    expect(folded.nextRead()).toEqual({ streamId: STREAM, fromRevision: 2n });
    add('C');
    expect((await folded.current()).state).toEqual(['A', 'B', 'C']);
    expect(reads()).toBe(3);
  });

  it('advances from events read elsewhere, skipping those another caller folded meanwhile', async () => {
    const { store, folded, add } = setUp();
    add('A');
    const early = folded.nextRead(); // from revision 0
    const [events = []] = await store.readStreams([early], 10);
    add('B');
    await folded.current(); // another request folds A and B first
    const result = await folded.advance(early, events, 10);
    expect(result).toEqual({ state: ['A', 'B'], revision: 1n });
  });

  it('reads the rest itself when the page was full, or when the cache was reset meanwhile', async () => {
    const { store, folded, add } = setUp();
    add('A', 'B', 'C');
    const request = folded.nextRead();
    const [page = []] = await store.readStreams([request], 2);
    expect(page).toHaveLength(2);
    expect((await folded.advance(request, page, 2)).state).toEqual(['A', 'B', 'C']);

    add('D');
    const later = folded.nextRead(); // from revision 3
    const [rest = []] = await store.readStreams([later], 10);
    folded.reset();
    expect((await folded.advance(later, rest, 10)).state).toEqual(['A', 'B', 'C', 'D']);
  });

  it('refuses a stream with a gap in its revisions', async () => {
    const { folded } = setUp();
    const gap = [0n, 2n].map((revision) => ({ streamId: STREAM, revision, type: 'X' }) as RecordedEvent);
    await expect(folded.advance({ streamId: STREAM, fromRevision: 0n }, gap, 10)).rejects.toThrow(
      /expected revision 1, read 2/,
    );
  });
});
