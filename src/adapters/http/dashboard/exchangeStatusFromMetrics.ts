import type { Histogram } from 'prom-client';
import type { ExchangeStatusView } from './dashboardSchema';

/** One cumulative bucket of a Prometheus histogram: `count` observations were ≤ `le` seconds. */
export interface CumulativeBucket {
  readonly le: number;
  readonly count: number;
}

/** Endpoints listed at most (the client calls a handful). */
const MAX_ENDPOINTS = 20;

/**
 * The q-quantile of a histogram, interpolated linearly inside the bucket that holds it, as
 * Prometheus' histogram_quantile() does; in the +Inf bucket, the largest finite bound. `null` when
 * there are no observations.
 */
export function histogramQuantile(q: number, buckets: readonly CumulativeBucket[]): number | null {
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  const total = sorted.at(-1)?.count ?? 0;
  if (total === 0) return null;
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const bucket of sorted) {
    if (bucket.count >= rank) {
      if (!Number.isFinite(bucket.le)) return lowerBound;
      const inBucket = bucket.count - lowerCount;
      if (inBucket <= 0) return bucket.le;
      return lowerBound + (bucket.le - lowerBound) * ((rank - lowerCount) / inBucket);
    }
    lowerBound = Number.isFinite(bucket.le) ? bucket.le : lowerBound;
    lowerCount = bucket.count;
  }
  return lowerBound;
}

type LatencyHistogram = Pick<Histogram<'method' | 'endpoint' | 'outcome'>, 'get'>;

/**
 * Exchange latency per endpoint (this instance's calls since it started, every outcome together)
 * from the metrics histogram `ledger_exchange_request_duration_seconds`, as p50 / p95 in ms.
 */
export async function latencyFromHistogram(
  histogram: LatencyHistogram,
): Promise<ExchangeStatusView['latency']> {
  const metric = await histogram.get();
  const byEndpoint = new Map<string, Map<number, number>>();
  for (const value of metric.values) {
    if (!value.metricName?.endsWith('_bucket')) continue;
    const labels = value.labels as Record<string, string | number | undefined>;
    const endpoint = `${labels.method ?? '?'} ${labels.endpoint ?? '?'}`;
    const le = labels.le === '+Inf' ? Infinity : Number(labels.le);
    if (Number.isNaN(le)) continue;
    const buckets = byEndpoint.get(endpoint) ?? new Map<number, number>();
    // Sum the outcome classes: cumulative counts of the same bound add up.
    buckets.set(le, (buckets.get(le) ?? 0) + value.value);
    byEndpoint.set(endpoint, buckets);
  }
  return [...byEndpoint.entries()]
    .map(([endpoint, buckets]) => {
      const cumulative = [...buckets.entries()].map(([le, count]) => ({ le, count }));
      const count = Math.max(0, ...cumulative.map((bucket) => bucket.count));
      const toMs = (seconds: number | null) =>
        seconds === null ? null : Math.round(seconds * 1000 * 10) / 10;
      return {
        endpoint,
        count,
        p50Ms: toMs(histogramQuantile(0.5, cumulative)),
        p95Ms: toMs(histogramQuantile(0.95, cumulative)),
      };
    })
    .filter((row) => row.count > 0)
    .sort((a, b) => b.count - a.count || a.endpoint.localeCompare(b.endpoint))
    .slice(0, MAX_ENDPOINTS);
}
