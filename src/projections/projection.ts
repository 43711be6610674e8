import type pg from 'pg';
import type { RecordedEvent } from '../domain/ports/eventStore';

/**
 * The physical names of a projection's tables: the live ones, or the fresh set a rebuild fills
 * before it swaps them in. `table('trade_executions')` gives the name to write to.
 */
export interface TableSet {
  readonly suffix: string;
  table(canonicalName: string): string;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

export function tableSet(suffix = ''): TableSet {
  if (suffix !== '' && !/^[a-z0-9_]{1,20}$/.test(suffix)) throw new Error(`invalid table suffix ${suffix}`);
  return {
    suffix,
    table(canonicalName: string): string {
      const name = `${canonicalName}${suffix}`;
      // Names are interpolated into SQL; they only ever come from code, and this keeps it so.
      if (!IDENTIFIER.test(name)) throw new Error(`invalid table name ${name}`);
      return name;
    },
  };
}

export const LIVE_TABLES = tableSet();

/**
 * Applies one batch of events (already filtered to those after the checkpoint, in global order)
 * inside the caller's transaction. An applier may stage in-memory state during `apply` and must make
 * it visible only in `committed()` (and drop it in `rolledBack()`): the database is the truth.
 */
export interface ProjectionApplier {
  apply(client: pg.ClientBase, events: readonly RecordedEvent[]): Promise<void>;
  committed(): void;
  rolledBack(): void;
  /**
   * Optional split of `apply` for a rebuild's pipeline: `prepare` does the in-memory work (the fold)
   * of batch N+1 while `write` of batch N runs in the database. `load` reads committed rows on a
   * connection of its own. `apply` must equal `write(client, await prepare(events, ...))`.
   */
  readonly pipeline?: PipelinedApplier;
}

export interface PreparedBatch {
  readonly events: number;
}

export interface PipelinedApplier {
  prepare(events: readonly RecordedEvent[], db: pg.Pool): Promise<PreparedBatch>;
  write(client: pg.ClientBase, prepared: PreparedBatch): Promise<void>;
}

export interface ApplierOptions {
  /**
   * The event store is the PostgreSQL store in this same database (its `events` table): rows that
   * are plain copies of events (the audit log) may then be copied server-side instead of sent back.
   */
  readonly eventsTableInDatabase?: boolean;
}

export interface ProjectionDefinition {
  /** Also the checkpoint name of the live tables. */
  readonly name: string;
  readonly description: string;
  /** The streams it reads (the global stream filtered by these prefixes). */
  readonly streamPrefixes: readonly string[];
  /** Its tables (canonical names): what a rebuild recreates and swaps. */
  readonly tables: readonly string[];
  /**
   * Tables whose key constraints a rebuild adds after the bulk load instead of before it: no write
   * names them (no ON CONFLICT target) and none is needed while the fresh tables fill in order. A
   * bulk index build costs a fraction of row-by-row upkeep.
   */
  readonly keysAfterLoad?: readonly string[];
  createApplier(tables: TableSet, options?: ApplierOptions): ProjectionApplier;
}

/** Codes: PROJECTION_INVALID_EVENT (an event its fold refuses), PROJECTION_INCONSISTENT (a gap). */
export class ProjectionError extends Error {
  override readonly name = 'ProjectionError';
  readonly httpStatus = 500;
  constructor(
    readonly code: 'PROJECTION_INVALID_EVENT' | 'PROJECTION_INCONSISTENT' | 'PROJECTION_SWAP_FAILED',
    message: string,
    readonly projection: string,
  ) {
    super(`projection ${projection}: ${message}`);
  }
}
