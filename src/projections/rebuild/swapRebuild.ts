import type pg from 'pg';
import { comparePositions } from '../../domain/ports/eventStore';
import { applyBatchInTransaction } from '../applyBatch';
import {
  deleteCheckpoint,
  lockCheckpoint,
  readCheckpoint,
  subscribeAfter,
  writeCheckpoint,
  type Checkpoint,
} from '../checkpoints';
import { ProjectionError, type ProjectionApplier } from '../projection';
import { copyAll, pageReader, type Copier } from './copyAll';
import { requireProgress } from '../requireProgress';
import type { RebuildOptions } from './rebuildOptions';
import { swapInRebuildTables } from './rebuildTables';

/**
 * In ONE transaction that holds the live checkpoint row (so the live runner pauses): applies what
 * arrived since the copy, renames the fresh tables in and hands the live checkpoint their position.
 * Too much to catch up inside it, or a reader holding the live tables past the lock timeout: catch up
 * outside and try again, a bounded number of times.
 */
export async function swapRebuild(
  client: pg.ClientBase,
  options: RebuildOptions,
  applier: ProjectionApplier,
  rebuildName: string,
  batchSize: number,
  copier: Copier,
): Promise<void> {
  const { projection } = options;
  const maxCatchUp = options.maxSwapCatchUpEvents ?? 50_000;
  const maxAttempts = options.maxSwapAttempts ?? 10;
  for (let attempt = 1; ; attempt++) {
    await client.query('BEGIN');
    try {
      await client.query(`SET LOCAL lock_timeout = ${Math.max(1, options.swapLockTimeoutMs ?? 5_000)}`);
      const live = await lockCheckpoint(client, projection.name);
      let rebuilt = await lockCheckpoint(client, rebuildName);
      let caughtUp = false;
      let appliedHere = 0;
      // Where to read on: past the checkpoint, and past events of other streams a read skipped.
      let readAfter = subscribeAfter(rebuilt.position);
      // Bounded by maxCatchUp and by the store: every page that is not the end moves readAfter on.
      while (appliedHere <= maxCatchUp) {
        const page = await pageReader(options)(readAfter, batchSize, projection.streamPrefixes);
        if (page.events.length > 0) {
          const result = await applyBatchInTransaction(client, rebuildName, applier, page.events);
          appliedHere += result.applied;
          rebuilt = result.checkpoint;
        }
        if (page.endReached) {
          caughtUp = true;
          break;
        }
        readAfter = requireProgress(readAfter, page.lastPosition);
      }
      if (!caughtUp) throw new CatchUpFirst();
      if (comparePositions(rebuilt.position, live.position) < 0) {
        throw new ProjectionError(
          'PROJECTION_SWAP_FAILED',
          'the live projection is ahead of everything the store lets the rebuild read',
          projection.name,
        );
      }
      await swapInRebuildTables(client, projection.tables, projection.name);
      const handed: Checkpoint = { ...rebuilt, name: projection.name };
      await writeCheckpoint(client, handed);
      await deleteCheckpoint(client, rebuildName);
      await client.query('COMMIT');
      applier.committed();
      copier.applied += appliedHere;
      copier.position = rebuilt.position;
      return;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      applier.rolledBack();
      const retry = error instanceof CatchUpFirst || isLockTimeout(error);
      if (!retry || attempt >= maxAttempts) throw error;
      if (error instanceof CatchUpFirst) {
        const done = await readCheckpoint(client, rebuildName);
        copier.position = subscribeAfter(done.position);
        await copyAll(client, options, applier, rebuildName, batchSize, copier, () => undefined);
      }
    }
  }
}

class CatchUpFirst extends Error {
  override readonly name = 'CatchUpFirst';
}

function isLockTimeout(error: unknown): boolean {
  return (error as { code?: string }).code === '55P03';
}
