import { z } from 'zod';
import { actorSchema, InvalidEventData, isoTimestampSchema, reasonSchema } from '../policy/auditFields';

/** One stream for the whole desk. */
export const TRADING_CONTROL_STREAM_ID = 'trading-control';

/** At most this many markets on the allowlist (Bitvavo lists a few hundred EUR markets). */
export const MAX_ALLOWED_MARKETS = 500;

/** A Bitvavo market id, base and quote in capitals: `BTC-EUR`. */
export const marketIdSchema = z
  .string()
  .regex(/^[A-Z0-9]{1,16}-[A-Z0-9]{1,16}$/, 'market must look like BTC-EUR');

/** Version 1; later versions get an upcaster applied in `parseTradingControlEvent`. */
const audited = {
  schemaVersion: z.literal(1),
  actor: actorSchema,
  reason: reasonSchema,
  at: isoTimestampSchema,
};

export const killSwitchEngagedSchema = z.strictObject(audited);
export const killSwitchReleasedSchema = z.strictObject(audited);
export const marketAllowlistChangedSchema = z.strictObject({
  ...audited,
  /** The complete new allowlist (sorted, no duplicates), not a delta: the latest event says it all. */
  allowed: z.array(marketIdSchema).max(MAX_ALLOWED_MARKETS),
  /** The allowlist it replaced, for the audit log. */
  previous: z.array(marketIdSchema).max(MAX_ALLOWED_MARKETS),
});

export const tradingControlEventSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('KillSwitchEngaged'), data: killSwitchEngagedSchema }),
  z.strictObject({ type: z.literal('KillSwitchReleased'), data: killSwitchReleasedSchema }),
  z.strictObject({ type: z.literal('MarketAllowlistChanged'), data: marketAllowlistChangedSchema }),
]);

export type TradingControlEvent = z.infer<typeof tradingControlEventSchema>;
export type TradingControlEventType = TradingControlEvent['type'];

export const TRADING_CONTROL_EVENT_TYPES: readonly TradingControlEventType[] = [
  'KillSwitchEngaged',
  'KillSwitchReleased',
  'MarketAllowlistChanged',
];

export function isTradingControlEventType(type: string): type is TradingControlEventType {
  return (TRADING_CONTROL_EVENT_TYPES as readonly string[]).includes(type);
}

/** Validates a stored or about-to-be-stored event; throws InvalidEventData. */
export function parseTradingControlEvent(raw: {
  readonly type: string;
  readonly data: unknown;
}): TradingControlEvent {
  const result = tradingControlEventSchema.safeParse({ type: raw.type, data: raw.data });
  if (!result.success) throw new InvalidEventData(raw.type, z.prettifyError(result.error));
  return result.data;
}
