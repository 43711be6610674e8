import type pg from 'pg';
import {
  comparePositions,
  type GlobalPosition,
  type ReadAllResult,
  type RecordedEvent,
} from '../../domain/ports/eventStore';
import { applyBatch } from '../applyBatch';
import { advanceCheckpoint, lockCheckpoint } from '../checkpoints';
import type { PipelinedApplier, PreparedBatch, ProjectionApplier } from '../projection';
import { postgresFoldReader, type ReadPage } from './postgresFoldReader';
import { requireProgress } from '../requireProgress';
import type { RebuildOptions } from './rebuildOptions';

/** How far the copy has come: events applied and the position of the last one. */
export interface Copier {
  applied: number;
  position: GlobalPosition | undefined;
}

/** How the rebuild reads pages of the stream: the caller's reader, the lean PostgreSQL one, or readAll. */
export function pageReader(options: RebuildOptions): ReadPage {
  if (options.readPage) return options.readPage;
  if (options.eventsTableInDatabase) return postgresFoldReader(options.pool);
  return (after, maxCount, streamPrefixes) =>
    options.store.readAll({ ...(after ? { after } : {}), maxCount, streamPrefixes });
}

/**
 * Reads the stream to its end, page after page; each page is one transaction on the fresh tables.
 * Three stages overlap: the database reads page N+2 and writes page N while this process folds page
 * N+1 (when the applier offers a pipeline). Memory: at most three pages.
 */
export async function copyAll(
  client: pg.ClientBase,
  options: RebuildOptions,
  applier: ProjectionApplier,
  rebuildName: string,
  batchSize: number,
  copier: Copier,
  onBatch: () => void,
): Promise<void> {
  const prefixes = options.projection.streamPrefixes;
  const pipeline = applier.pipeline;
  let next: Promise<ReadAllResult> | undefined = pageReader(options)(copier.position, batchSize, prefixes);
  let writing: Promise<void> | undefined;
  try {
    // Bounded by the stream: every page that is not the end moves the position forward (checked).
    let readAfter = copier.position;
    while (next) {
      const page: ReadAllResult = await next;
      next = page.endReached
        ? undefined
        : pageReader(options)(
            (readAfter = requireProgress(readAfter, page.lastPosition)),
            batchSize,
            prefixes,
          );
      // A prefetch that fails while this page is written must not become an unhandled rejection.
      next?.catch(() => undefined);
      // A store may end a read early with few or no events (EventStoreDB's scan bound): read on.
      if (page.events.length === 0) continue;
      if (!pipeline) {
        const result = await applyBatch(client, rebuildName, applier, page.events);
        copier.applied += result.applied;
        copier.position = page.lastPosition;
        onBatch();
        continue;
      }
      const prepared = await pipeline.prepare(page.events, options.pool);
      await writing;
      writing = writePrepared(client, rebuildName, applier, pipeline, prepared, page.events).then(() => {
        copier.applied += page.events.length;
        copier.position = page.lastPosition;
        onBatch();
      });
      writing.catch(() => undefined);
    }
    await writing;
  } finally {
    await writing?.catch(() => undefined);
  }
}

/** One prepared page in its own transaction, with the rebuild checkpoint. */
async function writePrepared(
  client: pg.ClientBase,
  rebuildName: string,
  applier: ProjectionApplier,
  pipeline: PipelinedApplier,
  prepared: PreparedBatch,
  events: readonly RecordedEvent[],
): Promise<void> {
  const first = events[0];
  const last = events.at(-1);
  if (!first || !last) return;
  // Not waiting for each page's WAL flush: until the swap nothing reads these tables, a crash before
  // it makes the next rebuild start from zero anyway, and the swap's own (synchronous) commit is
  // flushed after everything written before it.
  await client.query('BEGIN; SET LOCAL synchronous_commit = off');
  try {
    const checkpoint = await lockCheckpoint(client, rebuildName);
    // The rebuild is the only writer of its checkpoint, so pages arrive exactly in order.
    if (comparePositions(first.position, checkpoint.position) <= 0) {
      throw new Error(`rebuild ${rebuildName}: page starts at or before its checkpoint`);
    }
    await pipeline.write(client, prepared);
    await advanceCheckpoint(client, rebuildName, last.position, events.length, last.createdAt);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    applier.rolledBack();
    throw error;
  }
  applier.committed();
}
