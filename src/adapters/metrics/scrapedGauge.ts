import { Gauge, type Registry } from 'prom-client';

export interface ScrapedGaugeOptions<L extends string, T> {
  readonly name: string;
  readonly help: string;
  readonly labelNames?: readonly L[];
  readonly registers: Registry[];
  /** The value at this scrape; `null` when it could not be read (then the gauge has no sample). */
  readonly read: () => Promise<T | null> | T | null;
  readonly fill: (gauge: Gauge<L>, value: T) => void;
}

/**
 * A gauge read at scrape time. prom-client prints an unlabelled gauge as 0 even after `reset()`; a
 * scrape whose read failed must show no sample instead, since 0 is a value too (kill switch
 * released, no failures, no rate-limit budget left). Labelled or not, an unread gauge is absent.
 */
export class ScrapedGauge<L extends string, T> extends Gauge<L> {
  private readonly readValue: ScrapedGaugeOptions<L, T>['read'];
  private readonly fillValue: ScrapedGaugeOptions<L, T>['fill'];

  constructor(options: ScrapedGaugeOptions<L, T>) {
    super({
      name: options.name,
      help: options.help,
      labelNames: options.labelNames ?? [],
      registers: options.registers,
    });
    this.readValue = options.read;
    this.fillValue = options.fill;
  }

  override async get(): ReturnType<Gauge<L>['get']> {
    const value = await this.readValue();
    // Reset and fill with no await in between: a concurrent scrape never sees half of another's values.
    this.reset();
    if (value !== null) this.fillValue(this, value);
    const metric = await super.get();
    return value === null ? { ...metric, values: [] } : metric;
  }
}
