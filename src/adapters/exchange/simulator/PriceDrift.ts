import { Decimal } from 'decimal.js';
import { SeededRandom } from './seededRandom';
import type { SimulatedExchange } from './SimulatedExchange';

/** Largest move per step: ±0.15 %, a gentle walk. */
const MAX_STEP = 0.0015;

/**
 * A random walk of every market's price, one step per interval, drawn from its own seeded stream:
 * the sequence of prices is the same for a seed (the wall-clock timing of the steps is not).
 */
export class PriceDrift {
  private random: SeededRandom;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly exchange: SimulatedExchange,
    private readonly seed: number,
    private readonly intervalMs: number,
    private readonly nowMs: () => number,
  ) {
    this.random = new SeededRandom(seed ^ 0xd21f7);
  }

  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => this.step(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  reset(): void {
    this.random = new SeededRandom(this.seed ^ 0xd21f7);
  }

  /** One step for every market; crossing limit orders fill as with `/_sim/price`. */
  step(): void {
    for (const config of this.exchange.markets.values()) {
      const current = this.exchange.price(config.market);
      if (current === undefined) continue;
      const factor = new Decimal(1).plus(
        new Decimal(this.random.next() * 2 - 1).mul(MAX_STEP).toDecimalPlaces(8),
      );
      const tick = new Decimal(config.tickSize);
      let next = current.mul(factor);
      if (tick.gt(0)) next = next.div(tick).toDecimalPlaces(0).mul(tick);
      if (next.lte(0)) continue;
      this.exchange.setPrice(config.market, next, this.nowMs());
    }
  }
}
