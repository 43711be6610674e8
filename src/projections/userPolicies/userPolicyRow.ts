import type { GlobalPosition } from '../../domain/ports/eventStore';
import type { UserPolicyState } from '../../domain/policy';
import type { ColumnTypes } from '../sqlColumns';

export interface UserPolicyRow {
  user_id: string;
  trading_enabled: boolean;
  confidence_level: string;
  order_limit_eur: string | null;
  effective_limit_eur: string | null;
  pending_promotion_to: string | null;
  pending_promotion: Record<string, unknown> | null;
  state: UserPolicyState;
  stream_revision: string;
  global_position: string;
  updated_at: string;
}

export const USER_POLICY_COLUMNS: ColumnTypes<UserPolicyRow> = {
  user_id: 'text',
  trading_enabled: 'boolean',
  confidence_level: 'text',
  order_limit_eur: 'numeric',
  effective_limit_eur: 'numeric',
  pending_promotion_to: 'text',
  pending_promotion: 'jsonb',
  state: 'jsonb',
  stream_revision: 'bigint',
  global_position: 'numeric(20,0)',
  updated_at: 'timestamptz',
};

/** The row of one user: the domain's UserPolicyState (evolveUserPolicy), column by column and whole. */
export function userPolicyRow(state: UserPolicyState, position: GlobalPosition): UserPolicyRow {
  if (state.revision < 0 || state.updatedAt === null) throw new Error(`user ${state.userId} has no events`);
  return {
    user_id: state.userId,
    trading_enabled: state.tradingEnabled,
    confidence_level: state.confidenceLevel,
    order_limit_eur: state.orderLimitOverrideEur,
    effective_limit_eur: state.effectiveLimitEur,
    pending_promotion_to: state.pendingPromotion?.toLevel ?? null,
    pending_promotion: state.pendingPromotion ? { ...state.pendingPromotion } : null,
    state,
    stream_revision: String(state.revision),
    global_position: position.prepare.toString(),
    updated_at: state.updatedAt,
  };
}
