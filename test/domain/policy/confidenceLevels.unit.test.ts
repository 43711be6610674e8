import fc from 'fast-check';
import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import {
  CONFIDENCE_LEVELS,
  checkPromotionThreshold,
  compareLevels,
  computePromotionStats,
  effectiveOrderLimitEur,
  LEVEL_ORDER_LIMIT_EUR,
  levelOrderLimitEur,
  nextLevel,
  type PromotableLevel,
} from '../../../src/domain/policy';

describe('confidence levels', () => {
  it('are ordered TRAINING < VALIDATED < PRODUCTION < MATURE, one step at a time', () => {
    expect(CONFIDENCE_LEVELS).toEqual(['TRAINING', 'VALIDATED', 'PRODUCTION', 'MATURE']);
    expect(nextLevel('TRAINING')).toBe('VALIDATED');
    expect(nextLevel('VALIDATED')).toBe('PRODUCTION');
    expect(nextLevel('PRODUCTION')).toBe('MATURE');
    expect(nextLevel('MATURE')).toBeNull();
    expect(compareLevels('TRAINING', 'MATURE')).toBeLessThan(0);
    expect(compareLevels('PRODUCTION', 'VALIDATED')).toBeGreaterThan(0);
    expect(compareLevels('VALIDATED', 'VALIDATED')).toBe(0);
  });

  it('have per-order limits of €25, €100, €500 and none for MATURE', () => {
    expect(LEVEL_ORDER_LIMIT_EUR).toEqual({
      TRAINING: '25.00',
      VALIDATED: '100.00',
      PRODUCTION: '500.00',
      MATURE: null,
    });
  });

  it.each([
    ['TRAINING', null, '25.00'],
    ['TRAINING', '10', '10.00'],
    ['TRAINING', '25.00', '25.00'],
    ['VALIDATED', '10.5', '10.50'],
    ['PRODUCTION', null, '500.00'],
    ['MATURE', null, null],
    ['MATURE', '2500', '2500.00'],
    // A recorded override above the level (impossible via the decider) still cannot raise it.
    ['TRAINING', '30', '25.00'],
  ] as const)('effective limit at %s with override %s is %s', (level, override, expected) => {
    expect(effectiveOrderLimitEur(level, override)).toBe(expected);
  });

  it('property: an override never raises the effective limit above the level limit or the override', () => {
    const overrideArb = fc
      .tuple(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 0, max: 99 }))
      .filter(([euros, cents]) => euros + cents > 0)
      .map(([euros, cents]) => `${euros}.${String(cents).padStart(2, '0')}`);
    fc.assert(
      fc.property(fc.constantFrom(...CONFIDENCE_LEVELS), overrideArb, (level, override) => {
        const effective = new Decimal(effectiveOrderLimitEur(level, override) ?? 'NaN');
        expect(effective.lte(override)).toBe(true);
        const levelLimit = levelOrderLimitEur(level);
        if (levelLimit !== null) expect(effective.lte(levelLimit)).toBe(true);
      }),
    );
  });
});

describe('promotion thresholds (exact at the boundaries)', () => {
  const counts = (executionsPastGates: number, successful: number, reconciled: number) => ({
    executionsPastGates,
    successful,
    reconciled,
  });

  it.each([
    ['VALIDATED', counts(100, 100, 4), true],
    ['VALIDATED', counts(99, 99, 0), false], // fewer than 100 successful
    ['VALIDATED', counts(102, 100, 0), true], // 98.04% ≥ 98%
    ['VALIDATED', counts(150, 147, 0), true], // exactly 98%
    ['VALIDATED', counts(103, 100, 0), false], // 97.09%
    ['VALIDATED', counts(100, 100, 5), false], // recovery exactly 5% is not < 5%
    ['PRODUCTION', counts(505, 500, 15), true], // 99.01%, 2.97%
    ['PRODUCTION', counts(506, 500, 0), false], // 98.81%
    ['PRODUCTION', counts(500, 500, 15), false], // recovery exactly 3%
    ['PRODUCTION', counts(500, 499, 0), false], // 499 < 500
    ['MATURE', counts(1010, 1000, 20), true], // 99.0099%, 1.98%
    ['MATURE', counts(1000, 1000, 20), false], // recovery exactly 2%
    ['MATURE', counts(1011, 1000, 0), false], // 98.9%
    ['MATURE', counts(1000, 999, 0), false],
  ] as const)('to %s with %j: met = %s', (level, c, met) => {
    expect(checkPromotionThreshold(level, c).met).toBe(met);
  });

  it('says which thresholds are unmet', () => {
    const check = checkPromotionThreshold('VALIDATED', counts(10, 5, 5));
    expect(check.met).toBe(false);
    if (!check.met) expect(check.unmet).toHaveLength(3);
    expect(checkPromotionThreshold('VALIDATED', counts(0, 0, 0)).met).toBe(false);
  });

  it('derives rates as fractions rounded down to 6 places', () => {
    expect(computePromotionStats(counts(3, 2, 1))).toEqual({
      ...counts(3, 2, 1),
      successRate: '0.666666',
      recoveryRate: '0.333333',
    });
    expect(computePromotionStats(counts(0, 0, 0))).toMatchObject({
      successRate: '0.000000',
      recoveryRate: '0.000000',
    });
  });

  it('property: eligibility is monotone in the success count', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<PromotableLevel>('VALIDATED', 'PRODUCTION', 'MATURE'),
        fc.integer({ min: 0, max: 3000 }),
        fc.integer({ min: 0, max: 3000 }),
        fc.integer({ min: 0, max: 3000 }),
        (level, pastGates, successfulSeed, reconciledSeed) => {
          const successful = successfulSeed % (pastGates + 1);
          const reconciled = reconciledSeed % (pastGates + 1);
          if (!checkPromotionThreshold(level, counts(pastGates, successful, reconciled)).met) return;
          for (let more = successful + 1; more <= Math.min(pastGates, successful + 50); more += 1) {
            expect(checkPromotionThreshold(level, counts(pastGates, more, reconciled)).met).toBe(true);
          }
        },
      ),
    );
  });

  it('property: a higher level never accepts what a lower one refuses', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3000 }), fc.nat(), fc.nat(), (pastGates, s, r) => {
        const c = counts(pastGates, s % (pastGates + 1), r % (pastGates + 1));
        if (checkPromotionThreshold('MATURE', c).met)
          expect(checkPromotionThreshold('PRODUCTION', c).met).toBe(true);
        if (checkPromotionThreshold('PRODUCTION', c).met)
          expect(checkPromotionThreshold('VALIDATED', c).met).toBe(true);
      }),
    );
  });
});
