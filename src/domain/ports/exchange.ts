/**
 * The exchange port (Bitvavo REST v2 semantics). Decimals are strings; callers use Decimal in code.
 * Every call resolves (never throws for an exchange or transport failure) to an ExchangeResult whose
 * failure carries one of the error classes of DESIGN §3.
 */
export type Side = 'buy' | 'sell';
export type OrderType = 'market' | 'limit';

/** Bitvavo order status values. */
export type ExchangeOrderStatus =
  | 'new'
  | 'awaitingTrigger'
  | 'partiallyFilled'
  | 'filled'
  | 'canceled'
  | 'canceledAuction'
  | 'canceledSelfTradePrevention'
  | 'canceledIOC'
  | 'canceledFOK'
  | 'canceledMarketProtection'
  | 'canceledPostOnly'
  | 'expired'
  | 'rejected';

export interface ExchangeFill {
  readonly id: string;
  readonly timestampMs: number;
  readonly amount: string;
  readonly price: string;
  readonly fee: string;
  readonly feeCurrency: string;
  readonly settled: boolean;
}

export interface ExchangeOrder {
  readonly orderId: string;
  readonly clientOrderId: string | undefined;
  readonly market: string;
  readonly side: Side;
  readonly orderType: OrderType;
  readonly status: ExchangeOrderStatus;
  readonly amount: string | undefined;
  readonly amountQuote: string | undefined;
  readonly price: string | undefined;
  readonly filledAmount: string;
  readonly filledAmountQuote: string;
  readonly feePaid: string;
  readonly feeCurrency: string | undefined;
  readonly fills: readonly ExchangeFill[];
  readonly createdMs: number;
  readonly updatedMs: number;
}

export interface PlaceOrderRequest {
  readonly market: string;
  readonly side: Side;
  readonly orderType: OrderType;
  /** A UUID; Bitvavo rejects anything else (205). */
  readonly clientOrderId: string;
  readonly amount?: string;
  readonly amountQuote?: string;
  readonly price?: string;
}

export interface MarketRules {
  readonly market: string;
  readonly status: 'trading' | 'halted' | 'auction';
  readonly base: string;
  readonly quote: string;
  readonly pricePrecision: number;
  readonly quantityDecimals: number;
  readonly notionalDecimals: number;
  readonly tickSize: string;
  readonly minOrderInBaseAsset: string;
  readonly minOrderInQuoteAsset: string;
  readonly maxOrderInBaseAsset: string;
  readonly maxOrderInQuoteAsset: string;
  readonly orderTypes: readonly OrderType[];
}

export interface Balance {
  readonly symbol: string;
  readonly available: string;
  readonly inOrder: string;
}

/**
 * HARD: rejected for good, certainly not placed. SOFT_NOT_EXECUTED: certainly not processed, may be
 * retried later with the same clientOrderId after a lookup. UNKNOWN: may or may not have happened,
 * reconcile only. ALREADY_EXISTS: 220, the clientOrderId is on an open order (evidence it landed).
 * NOT_FOUND: 240, a real answer from the exchange that it has no such order.
 */
export type ErrorClass = 'HARD' | 'SOFT_NOT_EXECUTED' | 'UNKNOWN' | 'ALREADY_EXISTS' | 'NOT_FOUND';

export interface ExchangeFailure {
  readonly ok: false;
  readonly errorClass: ErrorClass;
  readonly httpStatus: number | undefined;
  readonly errorCode: number | undefined;
  /** Never contains the API secret, key or signature. */
  readonly message: string;
}

export type ExchangeResult<T> = { readonly ok: true; readonly value: T } | ExchangeFailure;

export interface ListOrdersQuery {
  readonly startMs?: number;
  readonly endMs?: number;
  /** At most 1000 (Bitvavo's maximum). */
  readonly limit?: number;
}

export interface Exchange {
  placeOrder(request: PlaceOrderRequest): Promise<ExchangeResult<ExchangeOrder>>;
  getOrderByClientOrderId(market: string, clientOrderId: string): Promise<ExchangeResult<ExchangeOrder>>;
  listOrders(market: string, query: ListOrdersQuery): Promise<ExchangeResult<ExchangeOrder[]>>;
  cancelOrder(
    market: string,
    id: { readonly orderId: string } | { readonly clientOrderId: string },
  ): Promise<ExchangeResult<{ orderId: string }>>;
  getBalance(symbol?: string): Promise<ExchangeResult<Balance[]>>;
  getMarkets(): Promise<ExchangeResult<MarketRules[]>>;
  getTickerPrice(market: string): Promise<ExchangeResult<string>>;
}
