import type { ConfidenceLevel } from './confidenceLevels';
import type { ExecutionCounts } from './promotionStats';

/** Who asked: an operator id, 'system', or a job name. Always recorded in the event. */
interface Audited {
  readonly actor: string;
}

export interface EnableTrading extends Audited {
  readonly type: 'EnableTrading';
  readonly reason: string;
}

export interface DisableTrading extends Audited {
  readonly type: 'DisableTrading';
  readonly reason: string;
}

export interface SetOrderLimitOverride extends Audited {
  readonly type: 'SetOrderLimitOverride';
  /** EUR, whole cents at most; must not exceed the level's limit (any value at MATURE). */
  readonly limitEur: string;
  readonly reason: string;
}

export interface ClearOrderLimitOverride extends Audited {
  readonly type: 'ClearOrderLimitOverride';
  readonly reason: string;
}

export interface ProposePromotion extends Audited {
  readonly type: 'ProposePromotion';
  /** Must be the level right above the current one. */
  readonly toLevel: ConfidenceLevel;
  /** The counts behind the proposal; the decider derives the rates and checks the thresholds. */
  readonly stats: ExecutionCounts;
  readonly reason: string;
}

export interface ApprovePromotion extends Audited {
  readonly type: 'ApprovePromotion';
  readonly note: string;
  /** The level the operator saw; when given, it must match the pending proposal. */
  readonly toLevel?: ConfidenceLevel;
}

export interface RejectPromotion extends Audited {
  readonly type: 'RejectPromotion';
  readonly note: string;
  readonly toLevel?: ConfidenceLevel;
}

export type UserPolicyCommand =
  | EnableTrading
  | DisableTrading
  | SetOrderLimitOverride
  | ClearOrderLimitOverride
  | ProposePromotion
  | ApprovePromotion
  | RejectPromotion;

export type UserPolicyCommandType = UserPolicyCommand['type'];
