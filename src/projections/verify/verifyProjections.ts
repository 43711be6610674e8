import type pg from 'pg';
import type { EventStore } from '../../domain/ports/eventStore';
import { readCheckpoint, type Checkpoint } from '../checkpoints';
import { EXECUTIONS_PROJECTION } from '../executions/executionsProjection';
import { LIVE_TABLES, type TableSet } from '../projection';
import { USER_POLICIES_PROJECTION } from '../userPolicies/userPoliciesProjection';
import { DriftCollector, type Drift } from './drift';
import { verifyExecutions } from './verifyExecutions';
import { verifyUserPolicies } from './verifyUserPolicies';

export const VERIFIABLE_PROJECTIONS = [EXECUTIONS_PROJECTION, USER_POLICIES_PROJECTION] as const;

export interface ProjectionVerification {
  readonly projection: string;
  readonly checkpoint: Checkpoint;
  readonly events: number;
  readonly rows: number;
}

export interface VerifyResult {
  readonly ok: boolean;
  readonly projections: ProjectionVerification[];
  /** The first `maxDrifts` drifts; `driftCount` counts them all. */
  readonly drifts: Drift[];
  readonly driftCount: number;
}

export interface VerifyOptions {
  readonly pool: pg.Pool;
  readonly store: EventStore;
  readonly projections?: readonly string[];
  readonly maxDrifts?: number;
  /** Which tables to check (default the live ones); a rebuild checks its fresh set before the swap. */
  readonly tables?: TableSet;
  /** The checkpoint name to read (default: the projection's own name). */
  readonly checkpointName?: (projection: string) => string;
}

/**
 * Replays the streams into memory and compares them with the read models. Each projection is checked
 * in one REPEATABLE READ READ ONLY snapshot against the streams up to its checkpoint in that same
 * snapshot, so a running projection that moves on meanwhile causes no false drift. A read-only
 * transaction takes no transaction id, so it does not hold back the store's readers.
 */
export async function verifyProjections(options: VerifyOptions): Promise<VerifyResult> {
  const drifts = new DriftCollector(options.maxDrifts ?? 1_000);
  const names = options.projections ?? VERIFIABLE_PROJECTIONS;
  const tables = options.tables ?? LIVE_TABLES;
  const results: ProjectionVerification[] = [];
  for (const name of names) {
    const client = await options.pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const checkpoint = await readCheckpoint(client, options.checkpointName?.(name) ?? name);
      const input = { client, store: options.store, tables, checkpoint, drifts };
      let counts: { events: number; rows: number };
      if (name === EXECUTIONS_PROJECTION) counts = await verifyExecutions(input);
      else if (name === USER_POLICIES_PROJECTION) counts = await verifyUserPolicies(input);
      else throw new Error(`unknown projection ${name}`);
      await client.query('COMMIT');
      results.push({ projection: name, checkpoint, ...counts });
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
  return { ok: drifts.total === 0, projections: results, drifts: drifts.drifts, driftCount: drifts.total };
}
