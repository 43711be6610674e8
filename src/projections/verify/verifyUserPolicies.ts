import type pg from 'pg';
import type { EventStore, GlobalPosition } from '../../domain/ports/eventStore';
import {
  evolveUserPolicy,
  initialUserPolicyState,
  parseUserPolicyEvent,
  USER_POLICY_STREAM_PREFIX,
  userIdFromPolicyStreamId,
  type UserPolicyState,
} from '../../domain/policy';
import type { Checkpoint } from '../checkpoints';
import type { TableSet } from '../projection';
import { USER_POLICIES_PROJECTION } from '../userPolicies/userPoliciesProjection';
import { USER_POLICY_COLUMNS, userPolicyRow } from '../userPolicies/userPolicyRow';
import { compareRow, VERIFY_TYPES } from './compareRows';
import type { DriftCollector } from './drift';
import { readEventsUpTo } from './readEventsUpTo';

export interface VerifyUserPoliciesInput {
  readonly client: pg.ClientBase;
  readonly store: EventStore;
  readonly tables: TableSet;
  readonly checkpoint: Checkpoint;
  readonly drifts: DriftCollector;
}

/** Folds every user-policy stream up to the checkpoint and compares user_policies with it. */
export async function verifyUserPolicies(
  input: VerifyUserPoliciesInput,
): Promise<{ events: number; rows: number }> {
  const { client, drifts } = input;
  const projection = USER_POLICIES_PROJECTION;
  const table = input.tables.table('user_policies');
  const states = new Map<string, { state: UserPolicyState; position: GlobalPosition; failed: boolean }>();
  let events = 0;
  for await (const page of readEventsUpTo(
    input.store,
    [USER_POLICY_STREAM_PREFIX],
    input.checkpoint.position,
  )) {
    for (const recorded of page) {
      const userId = userIdFromPolicyStreamId(recorded.streamId);
      if (userId === null) continue;
      events++;
      const entry = states.get(userId) ?? {
        state: initialUserPolicyState(userId),
        position: recorded.position,
        failed: false,
      };
      states.set(userId, entry);
      if (entry.failed) continue;
      try {
        entry.state = evolveUserPolicy(entry.state, parseUserPolicyEvent(recorded));
        entry.position = recorded.position;
      } catch (error) {
        entry.failed = true;
        drifts.add({
          projection,
          table: 'streams',
          key: recorded.streamId,
          kind: 'replay_failed',
          message: `event #${recorded.revision} (${recorded.type}): ${(error as Error).message}`,
        });
      }
    }
  }
  const result = await client.query<Record<string, unknown> & { user_id: string }>({
    text: `SELECT * FROM ${table}`,
    types: VERIFY_TYPES,
  });
  const rows = new Map(result.rows.map((row) => [row.user_id, row]));
  for (const [userId, entry] of states) {
    const actual = rows.get(userId);
    rows.delete(userId);
    if (entry.failed) continue;
    const base = { projection, table, key: userId };
    if (!actual) drifts.add({ ...base, kind: 'missing_row' });
    else
      for (const drift of compareRow(
        base,
        USER_POLICY_COLUMNS,
        userPolicyRow(entry.state, entry.position),
        actual,
      ))
        drifts.add(drift);
  }
  for (const userId of rows.keys()) drifts.add({ projection, table, key: userId, kind: 'extra_row' });
  return { events, rows: states.size };
}
