/**
 * Why the user-policy decider refused a command. Codes are stable (clients and runbooks match on
 * them); each maps to one HTTP status.
 */
export const USER_POLICY_ERROR_HTTP_STATUS = {
  INVALID_USER_ID: 400,
  INVALID_TIMESTAMP: 400,
  ACTOR_REQUIRED: 400,
  REASON_REQUIRED: 400,
  NOTE_REQUIRED: 400,
  INVALID_LIMIT: 400,
  INVALID_PROMOTION_STATS: 400,
  /** An override may only lower the level's limit. */
  LIMIT_OVERRIDE_ABOVE_LEVEL: 422,
  /** Promotions go one level up from the current one. */
  PROMOTION_LEVEL_NOT_HIGHER: 422,
  PROMOTION_SKIPS_LEVEL: 422,
  PROMOTION_THRESHOLDS_NOT_MET: 422,
  /** A proposal is already waiting for review; decide that one first. */
  PROMOTION_ALREADY_PENDING: 409,
  PROMOTION_NOT_PENDING: 409,
  /** The operator approved or rejected a level other than the one pending (a stale screen). */
  PROMOTION_LEVEL_MISMATCH: 409,
  /** 'system' and the proposer cannot approve: no user is promoted without a second pair of eyes. */
  APPROVER_NOT_ALLOWED: 403,
} as const;

export type UserPolicyErrorCode = keyof typeof USER_POLICY_ERROR_HTTP_STATUS;

export class UserPolicyError extends Error {
  override readonly name = 'UserPolicyError';
  readonly httpStatus: number;
  constructor(
    readonly code: UserPolicyErrorCode,
    message: string,
  ) {
    super(message);
    this.httpStatus = USER_POLICY_ERROR_HTTP_STATUS[code];
  }
}

/**
 * A recorded history that the rules could never have produced (an approval without a proposal, a
 * level change that does not start from the current level, an event of another user). Replay stops
 * loudly rather than guess: this is a 500 and an incident, never a client error.
 */
export class IllegalUserPolicyHistory extends Error {
  override readonly name = 'IllegalUserPolicyHistory';
  readonly code = 'ILLEGAL_USER_POLICY_HISTORY';
  readonly httpStatus = 500;
  constructor(
    readonly userId: string,
    readonly revision: number,
    message: string,
  ) {
    super(`user-policy-${userId} at revision ${revision}: ${message}`);
  }
}
