import type pg from 'pg';
import {
  comparePositions,
  MAX_READ_ALL_COUNT,
  type EventStore,
  type GlobalPosition,
  type ReadAllResult,
  type RecordedEvent,
} from '../../domain/ports/eventStore';
import { applyBatch, applyBatchInTransaction } from '../applyBatch';
import {
  advanceCheckpoint,
  deleteCheckpoint,
  lockCheckpoint,
  readCheckpoint,
  subscribeAfter,
  writeCheckpoint,
  type Checkpoint,
} from '../checkpoints';
import { storePendingProbe, type PendingProbe } from '../measureLag';
import {
  ProjectionError,
  type PipelinedApplier,
  type PreparedBatch,
  type ProjectionApplier,
  type ProjectionDefinition,
} from '../projection';
import { prepareStagingTables } from '../executions/writeExecutionRows';
import { postgresFoldReader, type ReadPage } from './postgresFoldReader';
import {
  createRebuildIndexes,
  createRebuildTables,
  dropTables,
  REBUILD_TABLES,
  RETIRED_TABLES,
  swapInRebuildTables,
} from './rebuildTables';

export interface RebuildProgress {
  readonly projection: string;
  readonly phase: 'copying' | 'indexing' | 'swapping' | 'done';
  readonly eventsApplied: number;
  /** Events expected in all (when the store can count them), for the ETA. */
  readonly eventsTotal: number | null;
  readonly elapsedMs: number;
}

export interface RebuildOptions {
  readonly pool: pg.Pool;
  readonly store: EventStore;
  readonly projection: ProjectionDefinition;
  /** Events per read and per transaction (at most the store's page size). */
  readonly batchSize?: number;
  readonly pendingProbe?: PendingProbe;
  /**
   * The store is the PostgreSQL store on `pool`: the audit log is copied server-side and the events
   * are read with the lean postgresFoldReader (unless `readPage` says otherwise).
   */
  readonly eventsTableInDatabase?: boolean;
  /** How pages of the stream are read (default: the store's readAll). */
  readonly readPage?: ReadPage;
  readonly onProgress?: (progress: RebuildProgress) => void;
  /** Keep the replaced tables as `<name>__old` instead of dropping them. */
  readonly keepOld?: boolean;
  /** The swap catches up inside its transaction; more than this and it first catches up outside. */
  readonly maxSwapCatchUpEvents?: number;
  readonly maxSwapAttempts?: number;
  /** How long the swap waits for readers of the live tables before it tries again. */
  readonly swapLockTimeoutMs?: number;
}

export interface RebuildResult {
  readonly projection: string;
  readonly eventsApplied: number;
  readonly elapsedMs: number;
  readonly eventsPerSecond: number;
  readonly checkpoint: GlobalPosition;
}

export function rebuildCheckpointName(projection: string): string {
  return `${projection}__rebuild`;
}

interface Copier {
  applied: number;
  position: GlobalPosition | undefined;
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
    await swap(client, options, applier, rebuildName, batchSize, copier);
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

function pageReader(options: RebuildOptions): ReadPage {
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
async function copyAll(
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
    // Bounded by the stream: every page moves the position forward; a short page is the end.
    while (next) {
      const page: ReadAllResult = await next;
      if (page.events.length === 0) break;
      const full = page.events.length >= batchSize;
      next = full ? pageReader(options)(page.lastPosition, batchSize, prefixes) : undefined;
      // A prefetch that fails while this page is written must not become an unhandled rejection.
      next?.catch(() => undefined);
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

async function swap(
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
      while (appliedHere <= maxCatchUp) {
        const page = await pageReader(options)(
          subscribeAfter(rebuilt.position),
          batchSize,
          projection.streamPrefixes,
        );
        if (page.events.length > 0) {
          const result = await applyBatchInTransaction(client, rebuildName, applier, page.events);
          appliedHere += result.applied;
          rebuilt = result.checkpoint;
        }
        if (page.events.length < batchSize) {
          caughtUp = true;
          break;
        }
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
