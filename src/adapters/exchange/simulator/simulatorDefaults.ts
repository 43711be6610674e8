/** A market as the simulator knows it: Bitvavo's rules plus the price it starts at. */
export interface SimMarketConfig {
  readonly market: string;
  readonly base: string;
  readonly quote: string;
  readonly price: string;
  readonly pricePrecision: number;
  readonly tickSize: string;
  readonly quantityDecimals: number;
  readonly notionalDecimals: number;
  readonly minOrderInBaseAsset: string;
  readonly minOrderInQuoteAsset: string;
  readonly maxOrderInBaseAsset: string;
  readonly maxOrderInQuoteAsset: string;
}

/** Realistic EUR markets. SOL-EUR exists so that allowlist tests have a market that is not allowed. */
export const DEFAULT_SIM_MARKETS: readonly SimMarketConfig[] = [
  {
    market: 'BTC-EUR',
    base: 'BTC',
    quote: 'EUR',
    price: '60000',
    pricePrecision: 5,
    tickSize: '1',
    quantityDecimals: 8,
    notionalDecimals: 2,
    minOrderInBaseAsset: '0.00001',
    minOrderInQuoteAsset: '5',
    maxOrderInBaseAsset: '1000',
    maxOrderInQuoteAsset: '1000000000',
  },
  {
    market: 'ETH-EUR',
    base: 'ETH',
    quote: 'EUR',
    price: '3000',
    pricePrecision: 5,
    tickSize: '0.1',
    quantityDecimals: 8,
    notionalDecimals: 2,
    minOrderInBaseAsset: '0.0001',
    minOrderInQuoteAsset: '5',
    maxOrderInBaseAsset: '10000',
    maxOrderInQuoteAsset: '1000000000',
  },
  {
    market: 'SOL-EUR',
    base: 'SOL',
    quote: 'EUR',
    price: '150',
    pricePrecision: 5,
    tickSize: '0.01',
    quantityDecimals: 8,
    notionalDecimals: 2,
    minOrderInBaseAsset: '0.001',
    minOrderInQuoteAsset: '5',
    maxOrderInBaseAsset: '1000000',
    maxOrderInQuoteAsset: '1000000000',
  },
];

/** The demo account: €10,000, 0.5 BTC and 5 ETH. */
export const DEFAULT_SIM_BALANCES: Readonly<Record<string, string>> = {
  EUR: '10000',
  BTC: '0.5',
  ETH: '5',
  SOL: '0',
};

/** Fee rates charged in the quote currency (Bitvavo's lowest tier is in this range). */
export const SIM_TAKER_FEE_RATE = '0.0025';
export const SIM_MAKER_FEE_RATE = '0.0015';
/** Bitvavo allows at most this many open orders per market. */
export const SIM_MAX_OPEN_ORDERS_PER_MARKET = 100;
