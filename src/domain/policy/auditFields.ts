import { z } from 'zod';

/**
 * Fields every operator-facing event carries so that the stream alone answers "who did what, when and
 * why". Actor: an operator id, 'system', or a job name.
 */
export const ACTOR_MAX_LENGTH = 100;
export const REASON_MAX_LENGTH = 1000;
export const SYSTEM_ACTOR = 'system';

const notBlank = (value: string): boolean => value.trim().length > 0;

export const actorSchema = z
  .string()
  .min(1)
  .max(ACTOR_MAX_LENGTH)
  .refine(notBlank, 'actor must not be blank');
export const reasonSchema = z.string().min(1).max(REASON_MAX_LENGTH).refine(notBlank, 'must not be blank');
/** UTC ISO-8601 with a `Z`, as `Date#toISOString()` writes it. */
export const isoTimestampSchema = z.iso.datetime();

export function isValidActor(actor: string): boolean {
  return actorSchema.safeParse(actor).success;
}

export function isValidReason(reason: string): boolean {
  return reasonSchema.safeParse(reason).success;
}

export function isValidIsoTimestamp(value: string): boolean {
  return isoTimestampSchema.safeParse(value).success;
}

/** Event data that fails its schema on read (or write): a 500, the stream needs attention. */
export class InvalidEventData extends Error {
  override readonly name = 'InvalidEventData';
  readonly code = 'INVALID_EVENT_DATA';
  readonly httpStatus = 500;
  constructor(
    readonly eventType: string,
    readonly issues: string,
  ) {
    super(`invalid ${eventType} event: ${issues}`);
  }
}
