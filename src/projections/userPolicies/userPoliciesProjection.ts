import type pg from 'pg';
import type { RecordedEvent } from '../../domain/ports/eventStore';
import {
  evolveUserPolicy,
  initialUserPolicyState,
  parseUserPolicyEvent,
  USER_POLICY_STREAM_PREFIX,
  userIdFromPolicyStreamId,
  type UserPolicyState,
} from '../../domain/policy';
import { BoundedCache } from '../boundedCache';
import {
  ProjectionError,
  type ProjectionApplier,
  type ProjectionDefinition,
  type TableSet,
} from '../projection';
import { columnList, recordsetDefinition, rowsToJson } from '../sqlColumns';
import { USER_POLICY_COLUMNS, userPolicyRow, type UserPolicyRow } from './userPolicyRow';

export const USER_POLICIES_PROJECTION = 'user_policies';
const DEFAULT_STATE_CACHE_SIZE = 10_000;

const UPDATES = Object.keys(USER_POLICY_COLUMNS)
  .filter((column) => column !== 'user_id')
  .map((column) => `${column} = EXCLUDED.${column}`)
  .join(', ');

class UserPoliciesApplier implements ProjectionApplier {
  private staged = new Map<string, UserPolicyState>();

  constructor(
    private readonly tables: TableSet,
    private readonly cache: BoundedCache<UserPolicyState>,
  ) {}

  async apply(client: pg.ClientBase, events: readonly RecordedEvent[]): Promise<void> {
    const groups = new Map<string, RecordedEvent[]>();
    for (const event of events) {
      const userId = userIdFromPolicyStreamId(event.streamId);
      if (userId === null) continue;
      const group = groups.get(userId) ?? [];
      group.push(event);
      groups.set(userId, group);
    }
    const starts = await this.startingStates(client, groups);
    const rows: UserPolicyRow[] = [];
    for (const [userId, group] of groups) {
      let state = starts.get(userId) ?? initialUserPolicyState(userId);
      let last: RecordedEvent | undefined;
      for (const recorded of group) {
        const expected = BigInt(state.revision + 1);
        if (recorded.revision < expected) continue;
        if (recorded.revision > expected) {
          throw new ProjectionError(
            'PROJECTION_INCONSISTENT',
            `user ${userId}: event revision ${recorded.revision} after revision ${state.revision}`,
            USER_POLICIES_PROJECTION,
          );
        }
        try {
          state = evolveUserPolicy(state, parseUserPolicyEvent(recorded));
        } catch (error) {
          throw new ProjectionError(
            'PROJECTION_INVALID_EVENT',
            `user ${userId} event #${recorded.revision} (${recorded.type}) refused: ${(error as Error).message}`,
            USER_POLICIES_PROJECTION,
          );
        }
        last = recorded;
      }
      if (!last) continue;
      rows.push(userPolicyRow(state, last.position));
      this.staged.set(userId, state);
    }
    if (rows.length === 0) return;
    const columns = columnList(USER_POLICY_COLUMNS);
    await client.query(
      `INSERT INTO ${this.tables.table('user_policies')} AS p (${columns})
       SELECT ${columns} FROM json_to_recordset($1::json) AS x(${recordsetDefinition(USER_POLICY_COLUMNS)})
       ON CONFLICT (user_id) DO UPDATE SET ${UPDATES} WHERE p.stream_revision < EXCLUDED.stream_revision`,
      [rowsToJson(rows)],
    );
  }

  committed(): void {
    for (const [userId, state] of this.staged) this.cache.set(userId, state);
    this.staged = new Map();
  }

  rolledBack(): void {
    this.staged = new Map();
  }

  /** The state before each user's first event of the batch: cache, else the row's own `state`. */
  private async startingStates(
    client: pg.ClientBase,
    groups: Map<string, RecordedEvent[]>,
  ): Promise<Map<string, UserPolicyState>> {
    const starts = new Map<string, UserPolicyState>();
    const missing: string[] = [];
    for (const [userId, group] of groups) {
      const firstRevision = group[0]?.revision ?? 0n;
      if (firstRevision === 0n) continue;
      const cached = this.staged.get(userId) ?? this.cache.get(userId);
      if (cached && BigInt(cached.revision + 1) === firstRevision) starts.set(userId, cached);
      else missing.push(userId);
    }
    if (missing.length === 0) return starts;
    const result = await client.query<{ user_id: string; state: UserPolicyState }>(
      `SELECT user_id, state FROM ${this.tables.table('user_policies')} WHERE user_id = ANY($1::text[])`,
      [missing],
    );
    for (const row of result.rows) starts.set(row.user_id, row.state);
    return starts;
  }
}

export interface UserPoliciesProjectionOptions {
  readonly stateCacheSize?: number;
}

/** user_policies, from `user-policy-*`. */
export function userPoliciesProjection(options: UserPoliciesProjectionOptions = {}): ProjectionDefinition {
  return {
    name: USER_POLICIES_PROJECTION,
    description: 'user_policies (trading enabled, confidence level, limits, pending promotion)',
    streamPrefixes: [USER_POLICY_STREAM_PREFIX],
    tables: ['user_policies'],
    createApplier(tables: TableSet): ProjectionApplier {
      return new UserPoliciesApplier(
        tables,
        new BoundedCache(options.stateCacheSize ?? DEFAULT_STATE_CACHE_SIZE),
      );
    },
  };
}
