import fc from 'fast-check';
import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import {
  histogramQuantile,
  latencyFromHistogram,
} from '../../../../src/adapters/http/dashboard/exchangeStatusFromMetrics';

describe('histogramQuantile', () => {
  it('interpolates inside the bucket that holds the rank, as Prometheus does', () => {
    const buckets = [
      { le: 0.1, count: 0 },
      { le: 0.2, count: 10 },
      { le: 0.4, count: 20 },
      { le: Infinity, count: 20 },
    ];
    expect(histogramQuantile(0.5, buckets)).toBeCloseTo(0.2);
    expect(histogramQuantile(0.25, buckets)).toBeCloseTo(0.15);
    expect(histogramQuantile(0.75, buckets)).toBeCloseTo(0.3);
  });

  it('answers the largest finite bound when the rank falls in +Inf, and null without observations', () => {
    expect(
      histogramQuantile(0.95, [
        { le: 1, count: 1 },
        { le: Infinity, count: 10 },
      ]),
    ).toBe(1);
    expect(
      histogramQuantile(0.5, [
        { le: 1, count: 0 },
        { le: Infinity, count: 0 },
      ]),
    ).toBeNull();
  });

  it('is monotonic in q and stays within the finite bounds', () => {
    const bounds = [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5];
    fc.assert(
      fc.property(
        fc.array(fc.nat(50), { minLength: bounds.length + 1, maxLength: bounds.length + 1 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (perBucket, a, b) => {
          let running = 0;
          const cumulative = [...bounds, Infinity].map((le, i) => ({
            le,
            count: (running += perBucket[i] ?? 0),
          }));
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          const qLo = histogramQuantile(lo, cumulative);
          const qHi = histogramQuantile(hi, cumulative);
          if (running === 0) return qLo === null && qHi === null;
          return qLo !== null && qHi !== null && qLo <= qHi + 1e-12 && qLo >= 0 && qHi <= 5;
        },
      ),
    );
  });
});

describe('latencyFromHistogram', () => {
  it('gives count, p50 and p95 per endpoint in ms, summed over outcome classes, busiest first', async () => {
    const histogram = new Histogram({
      name: 'ledger_exchange_request_duration_seconds',
      help: 'test',
      labelNames: ['method', 'endpoint', 'outcome'] as const,
      buckets: [0.01, 0.05, 0.1, 1],
      registers: [new Registry()],
    });
    for (let i = 0; i < 90; i++)
      histogram.observe({ method: 'GET', endpoint: '/order', outcome: 'OK' }, 0.03);
    for (let i = 0; i < 10; i++)
      histogram.observe({ method: 'GET', endpoint: '/order', outcome: 'UNKNOWN' }, 0.5);
    histogram.observe({ method: 'POST', endpoint: '/order', outcome: 'OK' }, 0.008);
    const rows = await latencyFromHistogram(histogram);
    expect(rows.map((row) => [row.endpoint, row.count])).toEqual([
      ['GET /order', 100],
      ['POST /order', 1],
    ]);
    // p50: rank 50 of 90 in (0.01, 0.05]: 10 + 40 × 50/90 ms; p95: rank 95, 5 of 10 in (0.1, 1].
    expect(rows[0]?.p50Ms).toBeCloseTo(32.2, 1);
    expect(rows[0]?.p95Ms).toBeCloseTo(550, 0);
    expect(rows[1]?.p50Ms).toBeCloseTo(5, 1);
  });

  it('lists nothing before the first call', async () => {
    const histogram = new Histogram({
      name: 'h',
      help: 'test',
      labelNames: ['method', 'endpoint', 'outcome'] as const,
      registers: [new Registry()],
    });
    expect(await latencyFromHistogram(histogram)).toEqual([]);
  });
});
