import type { Clock } from '../../domain/ports/clock';
import type { Exchange, MarketRules } from '../../domain/ports/exchange';
import { ExchangeUnavailable } from '../errors';
import { SingleFlight } from './singleFlight';

export interface MarketDataOptions {
  /** How long a ticker price is reused. The gates size an order with it; a second is plenty. */
  readonly tickerTtlMs?: number;
  /** How long market rules (GET /markets) are reused; they change rarely. */
  readonly rulesTtlMs?: number;
}

interface Timed<T> {
  readonly value: T;
  readonly fetchedAtMs: number;
}

/** At most this many markets' tickers are remembered (Bitvavo lists a few hundred). */
const MAX_TICKERS = 1_000;

/**
 * Ticker prices and market rules for the gates, cached briefly so that a burst of orders costs one
 * exchange call per market per TTL instead of one per order. Failures are not cached.
 */
export class MarketData {
  private readonly tickerTtlMs: number;
  private readonly rulesTtlMs: number;
  private readonly tickers = new Map<string, Timed<string>>();
  private rules: Timed<Map<string, MarketRules>> | undefined;
  private readonly tickerFlight = new SingleFlight<string>();
  private readonly rulesFlight = new SingleFlight<Map<string, MarketRules>>();

  constructor(
    private readonly exchange: Exchange,
    private readonly clock: Clock,
    options: MarketDataOptions = {},
  ) {
    this.tickerTtlMs = options.tickerTtlMs ?? 1_000;
    this.rulesTtlMs = options.rulesTtlMs ?? 60_000;
  }

  async tickerPrice(market: string): Promise<string> {
    const cached = this.tickers.get(market);
    if (cached !== undefined && this.clock.nowMs() - cached.fetchedAtMs < this.tickerTtlMs)
      return cached.value;
    return this.tickerFlight.run(market, async () => {
      const result = await this.exchange.getTickerPrice(market);
      if (!result.ok)
        throw new ExchangeUnavailable(`ticker price of ${market} unavailable: ${result.message}`);
      if (this.tickers.size >= MAX_TICKERS) this.tickers.clear();
      this.tickers.set(market, { value: result.value, fetchedAtMs: this.clock.nowMs() });
      return result.value;
    });
  }

  /** The market's rules, or `undefined` when the exchange does not list it (the MARKET_RULES gate refuses). */
  async marketRules(market: string): Promise<MarketRules | undefined> {
    const cached = this.rules;
    if (cached !== undefined && this.clock.nowMs() - cached.fetchedAtMs < this.rulesTtlMs) {
      return cached.value.get(market);
    }
    const rules = await this.rulesFlight.run('markets', async () => {
      const result = await this.exchange.getMarkets();
      if (!result.ok) throw new ExchangeUnavailable(`market rules unavailable: ${result.message}`);
      const byMarket = new Map(result.value.map((entry) => [entry.market, entry]));
      this.rules = { value: byMarket, fetchedAtMs: this.clock.nowMs() };
      return byMarket;
    });
    return rules.get(market);
  }
}
