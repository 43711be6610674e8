import { Decimal } from 'decimal.js';
import { z } from 'zod';
import { PROMOTION_THRESHOLDS, type PromotableLevel } from './confidenceLevels';
import { decimalStringSchema, ExactDecimal } from './decimalString';

/** Cumulative execution counts of one user, as the stats read model keeps them. */
export interface ExecutionCounts {
  /** Executions that passed every gate (the denominator of both rates). */
  readonly executionsPastGates: number;
  /** Executions that reached the exchange. */
  readonly successful: number;
  /** Executions that needed reconciliation (an unknown outcome). */
  readonly reconciled: number;
}

/** The counts plus the rates derived from them, as recorded in `PromotionProposed`. */
export interface PromotionStatsSnapshot extends ExecutionCounts {
  /** successful / executionsPastGates, a fraction ("0.990000"), rounded down to 6 places. */
  readonly successRate: string;
  /** reconciled / executionsPastGates, a fraction, rounded down to 6 places. */
  readonly recoveryRate: string;
}

const countSchema = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const executionCountsSchema = z
  .strictObject({ executionsPastGates: countSchema, successful: countSchema, reconciled: countSchema })
  .refine((c) => c.successful <= c.executionsPastGates && c.reconciled <= c.executionsPastGates, {
    message: 'successful and reconciled cannot exceed executionsPastGates',
  });

export const promotionStatsSnapshotSchema = z
  .strictObject({
    executionsPastGates: countSchema,
    successful: countSchema,
    reconciled: countSchema,
    successRate: decimalStringSchema,
    recoveryRate: decimalStringSchema,
  })
  .refine((c) => c.successful <= c.executionsPastGates && c.reconciled <= c.executionsPastGates, {
    message: 'successful and reconciled cannot exceed executionsPastGates',
  });

export const RATE_DECIMAL_PLACES = 6;

function rate(part: number, whole: number): string {
  if (whole === 0) return new Decimal(0).toFixed(RATE_DECIMAL_PLACES);
  return new ExactDecimal(part).div(whole).toFixed(RATE_DECIMAL_PLACES, Decimal.ROUND_DOWN);
}

export function computePromotionStats(counts: ExecutionCounts): PromotionStatsSnapshot {
  return {
    executionsPastGates: counts.executionsPastGates,
    successful: counts.successful,
    reconciled: counts.reconciled,
    successRate: rate(counts.successful, counts.executionsPastGates),
    recoveryRate: rate(counts.reconciled, counts.executionsPastGates),
  };
}

export type ThresholdCheck =
  { readonly met: true } | { readonly met: false; readonly unmet: readonly string[] };

/**
 * Whether the counts qualify for a promotion TO `toLevel`. The rates are compared as exact products
 * (successful ≥ rate × pastGates) rather than rounded quotients, so 98 of 100 is exactly 98%.
 */
export function checkPromotionThreshold(toLevel: PromotableLevel, counts: ExecutionCounts): ThresholdCheck {
  const threshold = PROMOTION_THRESHOLDS[toLevel];
  const pastGates = new ExactDecimal(counts.executionsPastGates);
  const unmet: string[] = [];
  if (counts.successful < threshold.minSuccessful) {
    unmet.push(`successful executions ${counts.successful} < ${threshold.minSuccessful}`);
  }
  if (pastGates.isZero() || new ExactDecimal(counts.successful).lt(pastGates.mul(threshold.minSuccessRate))) {
    unmet.push(
      `success rate ${rate(counts.successful, counts.executionsPastGates)} < ${threshold.minSuccessRate}`,
    );
  }
  if (
    pastGates.isZero() ||
    new ExactDecimal(counts.reconciled).gte(pastGates.mul(threshold.maxRecoveryRateExclusive))
  ) {
    unmet.push(
      `recovery rate ${rate(counts.reconciled, counts.executionsPastGates)} ≥ ${threshold.maxRecoveryRateExclusive}`,
    );
  }
  return unmet.length === 0 ? { met: true } : { met: false, unmet };
}
