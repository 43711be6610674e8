import type pg from 'pg';
import { START_POSITION, type GlobalPosition } from '../domain/ports/eventStore';

export interface Checkpoint {
  readonly name: string;
  /** START_POSITION (-1, -1) before the first event. */
  readonly position: GlobalPosition;
  readonly eventsApplied: number;
  readonly lastEventAt: Date | null;
  readonly updatedAt: Date | null;
}

interface CheckpointRow {
  name: string;
  commit_position: string;
  prepare_position: string;
  events_applied: string;
  last_event_at: Date | null;
  updated_at: Date;
}

const COLUMNS = 'name, commit_position, prepare_position, events_applied, last_event_at, updated_at';

function toCheckpoint(row: CheckpointRow): Checkpoint {
  return {
    name: row.name,
    position: { commit: BigInt(row.commit_position), prepare: BigInt(row.prepare_position) },
    eventsApplied: Number(row.events_applied),
    lastEventAt: row.last_event_at,
    updatedAt: row.updated_at,
  };
}

function empty(name: string): Checkpoint {
  return { name, position: START_POSITION, eventsApplied: 0, lastEventAt: null, updatedAt: null };
}

/** `undefined` for the start, as `subscribeToAll({ after })` wants it. */
export function subscribeAfter(position: GlobalPosition): GlobalPosition | undefined {
  return position.commit < 0n ? undefined : position;
}

export async function readCheckpoint(db: pg.Pool | pg.ClientBase, name: string): Promise<Checkpoint> {
  const result = await db.query<CheckpointRow>(
    `SELECT ${COLUMNS} FROM projection_checkpoints WHERE name = $1`,
    [name],
  );
  const row = result.rows[0];
  return row ? toCheckpoint(row) : empty(name);
}

export async function readAllCheckpoints(db: pg.Pool | pg.ClientBase): Promise<Checkpoint[]> {
  const result = await db.query<CheckpointRow>(`SELECT ${COLUMNS} FROM projection_checkpoints ORDER BY name`);
  return result.rows.map(toCheckpoint);
}

/**
 * Locks the checkpoint row for the rest of the caller's transaction (creating it at the start if
 * missing). Whoever holds it is the only one applying this projection: a second runner's batch waits
 * here, then sees the advanced checkpoint and skips what was already applied.
 */
export async function lockCheckpoint(client: pg.ClientBase, name: string): Promise<Checkpoint> {
  const select = `SELECT ${COLUMNS} FROM projection_checkpoints WHERE name = $1 FOR UPDATE`;
  let result = await client.query<CheckpointRow>(select, [name]);
  if (result.rows.length === 0) {
    await client.query(
      `INSERT INTO projection_checkpoints (name, commit_position, prepare_position) VALUES ($1, -1, -1)
       ON CONFLICT (name) DO NOTHING`,
      [name],
    );
    result = await client.query<CheckpointRow>(select, [name]);
  }
  const row = result.rows[0];
  if (!row) throw new Error(`checkpoint ${name} could not be created`);
  return toCheckpoint(row);
}

export async function advanceCheckpoint(
  client: pg.ClientBase,
  name: string,
  position: GlobalPosition,
  eventsApplied: number,
  lastEventAt: Date,
): Promise<void> {
  await client.query(
    `UPDATE projection_checkpoints
        SET commit_position = $2, prepare_position = $3, events_applied = events_applied + $4,
            last_event_at = $5, updated_at = now()
      WHERE name = $1`,
    [name, position.commit.toString(), position.prepare.toString(), eventsApplied, lastEventAt],
  );
}

/** Sets a checkpoint outright (rebuild: the live checkpoint takes the fresh tables' position). */
export async function writeCheckpoint(client: pg.ClientBase, checkpoint: Checkpoint): Promise<void> {
  await client.query(
    `INSERT INTO projection_checkpoints (name, commit_position, prepare_position, events_applied, last_event_at)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (name) DO UPDATE SET commit_position = EXCLUDED.commit_position,
       prepare_position = EXCLUDED.prepare_position, events_applied = EXCLUDED.events_applied,
       last_event_at = EXCLUDED.last_event_at, updated_at = now()`,
    [
      checkpoint.name,
      checkpoint.position.commit.toString(),
      checkpoint.position.prepare.toString(),
      checkpoint.eventsApplied,
      checkpoint.lastEventAt,
    ],
  );
}

export async function deleteCheckpoint(client: pg.ClientBase, name: string): Promise<void> {
  await client.query('DELETE FROM projection_checkpoints WHERE name = $1', [name]);
}
