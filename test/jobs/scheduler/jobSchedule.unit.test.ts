import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boundedDetail, MAX_DETAIL_JSON_CHARS } from '../../../src/jobs/scheduler/jobRunsRepository';
import { dueTimesOf, InvalidJobSchedule } from '../../../src/jobs/scheduler/jobSchedule';
import { budgetAllows } from '../../../src/jobs/exchangeBudget';
import { submissionOutcome } from '../../../src/adapters/http/routes/metricsRoute';

const at = (iso: string) => Date.parse(iso);

describe('job schedules', () => {
  it('evaluates the DESIGN §6 patterns in UTC, strictly after the given time', () => {
    const invariants = dueTimesOf({ cron: '0 * * * *' });
    const promotions = dueTimesOf({ cron: '30 * * * *' });
    const stats = dueTimesOf({ cron: '15 0 * * *' });
    expect(invariants.nextDueMs(at('2025-06-30T23:59:59.999Z'))).toBe(at('2025-07-01T00:00:00.000Z'));
    expect(invariants.nextDueMs(at('2025-07-01T00:00:00.000Z'))).toBe(at('2025-07-01T01:00:00.000Z'));
    expect(promotions.nextDueMs(at('2025-07-01T00:30:00.001Z'))).toBe(at('2025-07-01T01:30:00.000Z'));
    // 00:15 UTC whatever the zone of the server, across a daylight-saving change in Europe.
    expect(stats.nextDueMs(at('2025-03-30T00:15:00.000Z'))).toBe(at('2025-03-31T00:15:00.000Z'));
    expect(stats.nextDueMs(at('2025-10-25T12:00:00.000Z'))).toBe(at('2025-10-26T00:15:00.000Z'));
  });

  it('hourly slots are the top of the next hour for any time', () => {
    const hourly = dueTimesOf({ cron: '0 * * * *' });
    fc.assert(
      fc.property(fc.integer({ min: at('2000-01-01T00:00:00Z'), max: at('2100-01-01T00:00:00Z') }), (ms) => {
        const next = hourly.nextDueMs(ms);
        return next > ms && next - ms <= 3_600_000 && next % 3_600_000 === 0;
      }),
    );
  });

  it('intervals add up and are bounded; bad patterns are refused', () => {
    expect(dueTimesOf({ everyMs: 5_000 }).nextDueMs(1_000)).toBe(6_000);
    expect(() => dueTimesOf({ everyMs: 10 })).toThrow(InvalidJobSchedule);
    expect(() => dueTimesOf({ everyMs: 1.5e3 + 0.5 })).toThrow(InvalidJobSchedule);
    expect(() => dueTimesOf({ cron: '* * *' })).toThrow(InvalidJobSchedule);
    expect(() => dueTimesOf({ cron: '61 * * * *' })).toThrow(InvalidJobSchedule);
  });
});

describe('small helpers', () => {
  it('caps job_runs.detail', () => {
    expect(boundedDetail({ a: 1 })).toEqual({ a: 1 });
    const big = boundedDetail({ text: 'x'.repeat(20_000) });
    expect(big['truncated']).toBe(true);
    expect(JSON.stringify(big).length).toBeLessThanOrEqual(MAX_DETAIL_JSON_CHARS);
  });

  it('keeps a rate-limit floor for orders', () => {
    expect(budgetAllows({ minRemainingPoints: 150 }, 6)).toBe(true);
    expect(budgetAllows({ remaining: () => 156, minRemainingPoints: 150 }, 6)).toBe(true);
    expect(budgetAllows({ remaining: () => 155, minRemainingPoints: 150 }, 6)).toBe(false);
  });

  it('maps POST /v1/executions answers to submission outcomes', () => {
    expect(submissionOutcome(201, '')).toBe('created');
    expect(submissionOutcome(200, '')).toBe('replayed');
    expect(submissionOutcome(202, '')).toBe('pending');
    expect(submissionOutcome(422, '{"error":{"code":"ORDER_LIMIT_EXCEEDED","message":"x"}}')).toBe(
      'rejected',
    );
    expect(submissionOutcome(422, '{"error":{"code":"EXCHANGE_REJECTED","message":"x"}}')).toBe('failed');
    expect(submissionOutcome(409, '')).toBe('key_reused');
    expect(submissionOutcome(503, '')).toBe('unavailable');
    expect(submissionOutcome(500, '')).toBe('error');
  });
});
