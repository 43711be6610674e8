import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { TradingControlFigure } from '../../../src/adapters/metrics/databaseFigures';
import { LedgerMetrics } from '../../../src/adapters/metrics/ledgerMetrics';

/** A pool whose every query fails: the database gauges stay empty, the others are under test. */
const downPool = { query: () => Promise.reject(new Error('database down')) } as unknown as pg.Pool;

const sample = (text: string, name: string): string | undefined =>
  new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1];

async function scrape(metrics: LedgerMetrics): Promise<string> {
  return (await metrics.render()).body;
}

describe('LedgerMetrics scrape-time gauges', () => {
  it('reads trading-control at every scrape (no cache), once per scrape for both gauges', async () => {
    const metrics = new LedgerMetrics({ defaultMetrics: false });
    let state: TradingControlFigure = { killSwitchEngaged: false, allowedMarkets: 2 };
    let reads = 0;
    metrics.bind({
      pool: downPool,
      tradingControl: async () => {
        reads++;
        return state;
      },
    });
    const first = await scrape(metrics);
    expect(sample(first, 'ledger_kill_switch_engaged')).toBe('0');
    expect(sample(first, 'ledger_allowed_markets')).toBe('2');
    expect(reads).toBe(1);

    state = { killSwitchEngaged: true, allowedMarkets: 0 };
    const second = await scrape(metrics);
    expect(sample(second, 'ledger_kill_switch_engaged')).toBe('1');
    expect(sample(second, 'ledger_allowed_markets')).toBe('0');
    expect(reads).toBe(2);
  });

  it('leaves the kill switch out of a scrape whose read fails, never repeating the last value', async () => {
    const metrics = new LedgerMetrics({ defaultMetrics: false });
    let failing = false;
    metrics.bind({
      pool: downPool,
      tradingControl: async () => {
        if (failing) throw new Error('event store unavailable');
        return { killSwitchEngaged: true, allowedMarkets: 3 };
      },
    });
    expect(sample(await scrape(metrics), 'ledger_kill_switch_engaged')).toBe('1');
    failing = true;
    const text = await scrape(metrics);
    expect(text).toContain('# TYPE ledger_kill_switch_engaged gauge');
    expect(sample(text, 'ledger_kill_switch_engaged')).toBeUndefined();
    expect(sample(text, 'ledger_allowed_markets')).toBeUndefined();
    failing = false;
    expect(sample(await scrape(metrics), 'ledger_kill_switch_engaged')).toBe('1');
  });

  it('reads afresh for the next scrape while an earlier scrape’s read still hangs', async () => {
    const metrics = new LedgerMetrics({ defaultMetrics: false });
    let reads = 0;
    metrics.bind({
      pool: downPool,
      tradingControl: () => {
        reads++;
        return reads === 1
          ? new Promise<TradingControlFigure>(() => undefined)
          : Promise.resolve({ killSwitchEngaged: true, allowedMarkets: 1 });
      },
    });
    void scrape(metrics); // never answers (Prometheus gives up on it at its scrape timeout)
    expect(sample(await scrape(metrics), 'ledger_kill_switch_engaged')).toBe('1');
    expect(reads).toBe(2);
  });

  it('prints no sample, not 0, for an unlabelled database gauge whose read failed', async () => {
    const metrics = new LedgerMetrics({ defaultMetrics: false });
    metrics.bind({ pool: downPool });
    const text = await scrape(metrics);
    for (const name of [
      'ledger_execution_soft_failures',
      'ledger_execution_hard_failures',
      'ledger_reconcile_attempts',
    ]) {
      expect(text).toContain(`# TYPE ${name} gauge`);
      expect(sample(text, name)).toBeUndefined();
    }
  });

  it('has no kill-switch sample before it is bound to a source', async () => {
    const text = await scrape(new LedgerMetrics({ defaultMetrics: false }));
    expect(text).toContain('# TYPE ledger_kill_switch_engaged gauge');
    expect(sample(text, 'ledger_kill_switch_engaged')).toBeUndefined();
    expect(sample(text, 'ledger_exchange_rate_limit_reset_timestamp_seconds')).toBeUndefined();
    expect(sample(text, 'ledger_exchange_rate_limit_remaining')).toBeUndefined();
  });

  it('shows the rate-limit reset time the client last reported, in seconds, until it has passed', async () => {
    const metrics = new LedgerMetrics({ defaultMetrics: false });
    let nowMs = 1_700_000_000_000;
    metrics.bind({ pool: downPool, nowMs: () => nowMs });
    const onRateLimit = metrics.exchangeHooks.onRateLimit!;
    const name = 'ledger_exchange_rate_limit_reset_timestamp_seconds';

    onRateLimit({ remaining: 990, resetAtMs: nowMs + 42_500 });
    expect(sample(await scrape(metrics), name)).toBe('1700000042.5');

    nowMs += 42_500; // the window is over: a new one starts with the next request
    expect(sample(await scrape(metrics), name)).toBeUndefined();

    onRateLimit({ remaining: 0, resetAtMs: nowMs + 60_000 }); // a ban
    expect(sample(await scrape(metrics), name)).toBe(String((nowMs + 60_000) / 1000));
    onRateLimit({ remaining: 500, resetAtMs: undefined });
    expect(sample(await scrape(metrics), name)).toBeUndefined();
  });
});
