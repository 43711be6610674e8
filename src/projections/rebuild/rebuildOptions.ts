import type pg from 'pg';
import type { EventStore, GlobalPosition } from '../../domain/ports/eventStore';
import type { PendingProbe } from '../measureLag';
import type { ProjectionDefinition } from '../projection';
import type { ReadPage } from './postgresFoldReader';

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
