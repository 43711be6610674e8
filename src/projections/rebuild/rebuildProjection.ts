import { MAX_READ_ALL_COUNT } from '../../domain/ports/eventStore';
import { deleteCheckpoint, readCheckpoint } from '../checkpoints';
import { storePendingProbe } from '../measureLag';
import { copyAll, type Copier } from './copyAll';
import { prepareStagingTables } from '../executions/writeExecutionRows';
import type { RebuildOptions, RebuildProgress, RebuildResult } from './rebuildOptions';
import {
  createRebuildIndexes,
  createRebuildTables,
  dropTables,
  REBUILD_TABLES,
  RETIRED_TABLES,
} from './rebuildTables';
import { swapRebuild } from './swapRebuild';

export type { RebuildOptions, RebuildProgress, RebuildResult } from './rebuildOptions';

export function rebuildCheckpointName(projection: string): string {
  return `${projection}__rebuild`;
}

/**
 * Rebuilds a projection from zero while the service keeps running: fills fresh tables from the whole
 * stream (checkpointed under `<name>__rebuild`, batched, the next page read while the current one is
 * written), builds their indexes, then in ONE transaction that holds the live checkpoint row (so the
 * live runner pauses), applies what arrived meanwhile, renames the fresh tables in and hands the live
 * checkpoint their position. Readers of the live tables see the old rows until that commit, the new
 * ones after it, never a mix; the live runner resumes on the new tables from the new checkpoint.
 */
export async function rebuildProjection(options: RebuildOptions): Promise<RebuildResult> {
  const { pool, projection } = options;
  const startedMs = performance.now();
  const batchSize = Math.max(1, Math.min(options.batchSize ?? 5_000, MAX_READ_ALL_COUNT));
  const rebuildName = rebuildCheckpointName(projection.name);
  const applier = projection.createApplier(REBUILD_TABLES, {
    eventsTableInDatabase: options.eventsTableInDatabase === true,
  });
  const probe = options.pendingProbe ?? storePendingProbe(options.store);
  // The count is only for the ETA: the copy starts without waiting for it (it is a scan of the store).
  let eventsTotal: number | null = null;
  const counted = probe({ commit: -1n, prepare: -1n }, projection.streamPrefixes).then(
    (total) => {
      eventsTotal = total.capped ? null : total.events;
    },
    () => undefined,
  );
  const copier: Copier = { applied: 0, position: undefined };
  const report = (phase: RebuildProgress['phase']) =>
    options.onProgress?.({
      projection: projection.name,
      phase,
      eventsApplied: copier.applied,
      eventsTotal: eventsTotal === null ? null : Math.max(eventsTotal, copier.applied),
      elapsedMs: performance.now() - startedMs,
    });

  const client = await pool.connect();
  try {
    await createRebuildTables(client, projection.tables, projection.keysAfterLoad);
    await prepareStagingTables(client);
    await deleteCheckpoint(client, rebuildName);
    await copyAll(client, options, applier, rebuildName, batchSize, copier, () => report('copying'));
    report('indexing');
    await createRebuildIndexes(pool, projection.tables, projection.keysAfterLoad);
    report('swapping');
    await swapRebuild(client, options, applier, rebuildName, batchSize, copier);
    if (!options.keepOld)
      await dropTables(
        client,
        projection.tables.map((table) => RETIRED_TABLES.table(table)),
      );
    await counted;
    report('done');
    const checkpoint = await readCheckpoint(client, projection.name);
    const elapsedMs = performance.now() - startedMs;
    return {
      projection: projection.name,
      eventsApplied: copier.applied,
      elapsedMs,
      eventsPerSecond: copier.applied / Math.max(elapsedMs / 1000, 1e-3),
      checkpoint: checkpoint.position,
    };
  } catch (error) {
    // A failed rebuild leaves the live tables untouched; drop what it built.
    await client.query('ROLLBACK').catch(() => undefined);
    await dropTables(
      client,
      projection.tables.map((table) => REBUILD_TABLES.table(table)),
    ).catch(() => undefined);
    await deleteCheckpoint(client, rebuildName).catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
