import type pg from 'pg';
import { comparePositions, type RecordedEvent } from '../domain/ports/eventStore';
import { advanceCheckpoint, lockCheckpoint, type Checkpoint } from './checkpoints';
import type { ProjectionApplier } from './projection';

export interface BatchResult {
  /** Events applied (those after the checkpoint); 0 when the batch was a redelivery. */
  readonly applied: number;
  readonly skipped: number;
  /** The checkpoint after the batch. */
  readonly checkpoint: Checkpoint;
}

/**
 * The heart of a projection, inside a transaction the caller opened: lock the checkpoint row, drop
 * the events at or before it (redelivery, or another instance got there first), apply the rest and
 * move the checkpoint, so that read model and checkpoint commit together or not at all.
 */
export async function applyBatchInTransaction(
  client: pg.ClientBase,
  checkpointName: string,
  applier: ProjectionApplier,
  events: readonly RecordedEvent[],
): Promise<BatchResult> {
  const checkpoint = await lockCheckpoint(client, checkpointName);
  const fresh = events.filter((event) => comparePositions(event.position, checkpoint.position) > 0);
  const last = fresh.at(-1);
  if (!last) return { applied: 0, skipped: events.length, checkpoint };
  await applier.apply(client, fresh);
  await advanceCheckpoint(client, checkpointName, last.position, fresh.length, last.createdAt);
  return {
    applied: fresh.length,
    skipped: events.length - fresh.length,
    checkpoint: {
      name: checkpointName,
      position: last.position,
      eventsApplied: checkpoint.eventsApplied + fresh.length,
      lastEventAt: last.createdAt,
      updatedAt: null,
    },
  };
}

/** One batch in a transaction of its own on `client` (a connection the caller owns). */
export async function applyBatch(
  client: pg.ClientBase,
  checkpointName: string,
  applier: ProjectionApplier,
  events: readonly RecordedEvent[],
): Promise<BatchResult> {
  // A read model and its checkpoint commit together; a crash that loses the last asynchronous commits
  // loses both, and the projection applies those events again from the older checkpoint. So the
  // batch need not wait for its WAL flush, which would slow every other commit on the server.
  await client.query('BEGIN; SET LOCAL synchronous_commit = off');
  let result: BatchResult;
  try {
    result = await applyBatchInTransaction(client, checkpointName, applier, events);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    applier.rolledBack();
    throw error;
  }
  applier.committed();
  return result;
}
