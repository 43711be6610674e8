import { z } from 'zod';
import { actorSchema, InvalidEventData, isoTimestampSchema, reasonSchema } from './auditFields';
import { confidenceLevelSchema } from './confidenceLevels';
import { positiveEurAmountSchema } from './decimalString';
import { promotionStatsSnapshotSchema } from './promotionStats';

export const USER_POLICY_STREAM_PREFIX = 'user-policy-';

/** Letters, digits and `_ . : @ -`, starting with a letter or digit; fits a stream id and a URL path. */
export const userIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,99}$/, 'invalid user id');

export function userPolicyStreamId(userId: string): string {
  return `${USER_POLICY_STREAM_PREFIX}${userId}`;
}

/** The user id of a `user-policy-<userId>` stream, or `null` for another stream. */
export function userIdFromPolicyStreamId(streamId: string): string | null {
  if (!streamId.startsWith(USER_POLICY_STREAM_PREFIX)) return null;
  const userId = streamId.slice(USER_POLICY_STREAM_PREFIX.length);
  return userIdSchema.safeParse(userId).success ? userId : null;
}

/**
 * Version 1 of every event. A later version gets its own schema plus an upcaster to the newest
 * shape, applied in `parseUserPolicyEvent` before validation.
 */
const audited = {
  schemaVersion: z.literal(1),
  userId: userIdSchema,
  actor: actorSchema,
  at: isoTimestampSchema,
};
const withReason = { ...audited, reason: reasonSchema };
const withNote = { ...audited, note: reasonSchema };

export const tradingEnabledSchema = z.strictObject(withReason);
export const tradingDisabledSchema = z.strictObject(withReason);
export const orderLimitOverrideSetSchema = z.strictObject({
  ...withReason,
  /** Cents at most; never above the level's limit at the time it was set (except at MATURE). */
  limitEur: positiveEurAmountSchema,
});
export const orderLimitOverrideClearedSchema = z.strictObject(withReason);
export const confidenceLevelChangedSchema = z.strictObject({
  ...withReason,
  from: confidenceLevelSchema,
  to: confidenceLevelSchema,
});
export const promotionProposedSchema = z.strictObject({
  ...withReason,
  fromLevel: confidenceLevelSchema,
  toLevel: confidenceLevelSchema,
  stats: promotionStatsSnapshotSchema,
  proposedAt: isoTimestampSchema,
});
export const promotionApprovedSchema = z.strictObject({
  ...withNote,
  fromLevel: confidenceLevelSchema,
  toLevel: confidenceLevelSchema,
});
export const promotionRejectedSchema = z.strictObject({
  ...withNote,
  fromLevel: confidenceLevelSchema,
  toLevel: confidenceLevelSchema,
});

export const userPolicyEventSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('TradingEnabled'), data: tradingEnabledSchema }),
  z.strictObject({ type: z.literal('TradingDisabled'), data: tradingDisabledSchema }),
  z.strictObject({ type: z.literal('OrderLimitOverrideSet'), data: orderLimitOverrideSetSchema }),
  z.strictObject({ type: z.literal('OrderLimitOverrideCleared'), data: orderLimitOverrideClearedSchema }),
  z.strictObject({ type: z.literal('ConfidenceLevelChanged'), data: confidenceLevelChangedSchema }),
  z.strictObject({ type: z.literal('PromotionProposed'), data: promotionProposedSchema }),
  z.strictObject({ type: z.literal('PromotionApproved'), data: promotionApprovedSchema }),
  z.strictObject({ type: z.literal('PromotionRejected'), data: promotionRejectedSchema }),
]);

export type UserPolicyEvent = z.infer<typeof userPolicyEventSchema>;
export type UserPolicyEventType = UserPolicyEvent['type'];
export type UserPolicyEventOf<T extends UserPolicyEventType> = Extract<UserPolicyEvent, { type: T }>;

export const USER_POLICY_EVENT_TYPES: readonly UserPolicyEventType[] = [
  'TradingEnabled',
  'TradingDisabled',
  'OrderLimitOverrideSet',
  'OrderLimitOverrideCleared',
  'ConfidenceLevelChanged',
  'PromotionProposed',
  'PromotionApproved',
  'PromotionRejected',
];

export function isUserPolicyEventType(type: string): type is UserPolicyEventType {
  return (USER_POLICY_EVENT_TYPES as readonly string[]).includes(type);
}

/**
 * Validates a stored or about-to-be-stored event (type + data, as in the event store). Used on read
 * and on write; throws InvalidEventData with the zod issues (event data holds no secrets).
 */
export function parseUserPolicyEvent(raw: {
  readonly type: string;
  readonly data: unknown;
}): UserPolicyEvent {
  const result = userPolicyEventSchema.safeParse({ type: raw.type, data: raw.data });
  if (!result.success) throw new InvalidEventData(raw.type, z.prettifyError(result.error));
  return result.data;
}
