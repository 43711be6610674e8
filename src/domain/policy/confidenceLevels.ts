import { Decimal } from 'decimal.js';
import { z } from 'zod';

/**
 * Confidence levels (DESIGN §4), lowest first. A user climbs one level at a time, and only when an
 * operator approves a proposal; the order of this array is the order of the levels.
 */
export const CONFIDENCE_LEVELS = ['TRAINING', 'VALIDATED', 'PRODUCTION', 'MATURE'] as const;
export type ConfidenceLevel = (typeof CONFIDENCE_LEVELS)[number];
export type PromotableLevel = Exclude<ConfidenceLevel, 'TRAINING'>;

export const confidenceLevelSchema = z.enum(CONFIDENCE_LEVELS);

export const INITIAL_CONFIDENCE_LEVEL: ConfidenceLevel = 'TRAINING';

/** Per-order limit in EUR; `null` means no fixed limit (MATURE: capped by the available balance). */
export const LEVEL_ORDER_LIMIT_EUR: Readonly<Record<ConfidenceLevel, string | null>> = {
  TRAINING: '25.00',
  VALIDATED: '100.00',
  PRODUCTION: '500.00',
  MATURE: null,
};

export interface PromotionThreshold {
  /** At least this many successful executions (cumulative over the user's history). */
  readonly minSuccessful: number;
  /** success rate = successful / executions past the gates; must be ≥ this fraction. */
  readonly minSuccessRate: string;
  /** recovery rate = executions that needed reconciliation / past the gates; must be < this fraction. */
  readonly maxRecoveryRateExclusive: string;
}

/** What it takes to be promoted TO a level. */
export const PROMOTION_THRESHOLDS: Readonly<Record<PromotableLevel, PromotionThreshold>> = {
  VALIDATED: { minSuccessful: 100, minSuccessRate: '0.98', maxRecoveryRateExclusive: '0.05' },
  PRODUCTION: { minSuccessful: 500, minSuccessRate: '0.99', maxRecoveryRateExclusive: '0.03' },
  MATURE: { minSuccessful: 1000, minSuccessRate: '0.99', maxRecoveryRateExclusive: '0.02' },
};

export function levelRank(level: ConfidenceLevel): number {
  return CONFIDENCE_LEVELS.indexOf(level);
}

/** Negative when `a` is below `b`, zero when equal, positive when above. */
export function compareLevels(a: ConfidenceLevel, b: ConfidenceLevel): number {
  return levelRank(a) - levelRank(b);
}

/** The level a promotion from `level` leads to, or `null` at the top (MATURE). */
export function nextLevel(level: ConfidenceLevel): PromotableLevel | null {
  const next = CONFIDENCE_LEVELS[levelRank(level) + 1];
  return next === undefined || next === 'TRAINING' ? null : next;
}

export function isPromotableLevel(level: ConfidenceLevel): level is PromotableLevel {
  return level !== 'TRAINING';
}

/** The level's own limit as a Decimal, or `null` when it has none. */
export function levelOrderLimitEur(level: ConfidenceLevel): Decimal | null {
  const limit = LEVEL_ORDER_LIMIT_EUR[level];
  return limit === null ? null : new Decimal(limit);
}

/**
 * The limit that applies to one order: the level's limit, lowered by the override when that is
 * smaller. An override never raises the limit, even if one above the level were ever recorded.
 * MATURE without override has no fixed limit (`null`): the gates cap it by the balance.
 */
export function effectiveOrderLimitEur(level: ConfidenceLevel, overrideEur: string | null): string | null {
  const levelLimit = levelOrderLimitEur(level);
  if (overrideEur === null) return levelLimit === null ? null : toEurString(levelLimit);
  const override = new Decimal(overrideEur);
  if (levelLimit === null) return toEurString(override);
  return toEurString(Decimal.min(levelLimit, override));
}

/** Cents, rounded down so that formatting can never raise a limit. */
function toEurString(value: Decimal): string {
  return value.toFixed(2, Decimal.ROUND_DOWN);
}
