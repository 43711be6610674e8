import { Decimal } from 'decimal.js';
import { SeededRandom } from './seededRandom';
import { ORDER_NOT_FOUND, simError, type SimError } from './simError';
import { isOpen, type SimOrder } from './simOrder';
import { SimOrderBook, type OrderRef } from './SimOrderBook';
import { fillTerms } from './fillTerms';
import {
  SIM_MAX_OPEN_ORDERS_PER_MARKET,
  SIM_TAKER_FEE_RATE,
  type SimMarketConfig,
} from './simulatorDefaults';
import type { ValidOrderBody } from './validateOrderBody';

export interface SimulatedExchangeConfig {
  readonly markets: readonly SimMarketConfig[];
  readonly balances: Readonly<Record<string, string>>;
  readonly seed: number;
  /** Memory bound for soak runs: beyond it the oldest closed orders are forgotten. */
  readonly maxStoredOrders?: number;
}

interface Holding {
  available: Decimal;
  inOrder: Decimal;
}

export type { OrderRef } from './SimOrderBook';

const DEFAULT_MAX_STORED_ORDERS = 100_000;

/**
 * The exchange's books: markets, prices, the account's balances and every order. No HTTP here.
 * Market orders fill at once at the current price (taker fee); limit orders hold their funds and rest
 * until the price crosses them, then fill completely at their limit price (maker fee).
 */
export class SimulatedExchange {
  readonly markets: ReadonlyMap<string, SimMarketConfig>;
  private prices = new Map<string, Decimal>();
  private balances = new Map<string, Holding>();
  private readonly orders: SimOrderBook;
  private ids: SeededRandom;

  constructor(private readonly config: SimulatedExchangeConfig) {
    this.markets = new Map(config.markets.map((m) => [m.market, m]));
    this.orders = new SimOrderBook(config.maxStoredOrders ?? DEFAULT_MAX_STORED_ORDERS);
    this.ids = new SeededRandom(config.seed);
    this.reset();
  }

  reset(): void {
    this.prices = new Map(this.config.markets.map((m) => [m.market, new Decimal(m.price)]));
    this.balances = new Map(
      Object.entries(this.config.balances).map(([symbol, amount]) => [
        symbol,
        { available: new Decimal(amount), inOrder: new Decimal(0) },
      ]),
    );
    this.orders.clear();
    this.ids = new SeededRandom(this.config.seed ^ 0x5eed);
  }

  price(market: string): Decimal | undefined {
    return this.prices.get(market);
  }

  placeOrder(body: ValidOrderBody, nowMs: number): SimOrder | SimError {
    const market = body.market;
    const open = this.orders.openOrders(market.market);
    if (open.length >= SIM_MAX_OPEN_ORDERS_PER_MARKET) {
      return simError(400, 235, 'Maximum of 100 open orders per market exceeded.');
    }
    // Bitvavo checks clientOrderId uniqueness among OPEN orders of the market only.
    if (body.clientOrderId !== undefined && open.some((o) => o.clientOrderId === body.clientOrderId)) {
      return simError(400, 220, 'The clientOrderId is already in use by an open order in this market.');
    }
    const price = this.prices.get(market.market);
    if (price === undefined) return simError(400, 205, 'Invalid parameter value: market');
    return body.orderType === 'market'
      ? this.placeMarketOrder(body, price, nowMs)
      : this.placeLimitOrder(body, price, nowMs);
  }

  private newOrder(body: ValidOrderBody, nowMs: number, onHold: Decimal): SimOrder {
    const market = body.market;
    return {
      orderId: this.ids.uuid(),
      clientOrderId: body.clientOrderId,
      market: market.market,
      side: body.side,
      orderType: body.orderType,
      operatorId: body.operatorId,
      createdMs: nowMs,
      updatedMs: nowMs,
      amount: body.amount,
      amountQuote: body.amountQuote,
      price: body.price,
      status: 'new',
      filledAmount: new Decimal(0),
      filledAmountQuote: new Decimal(0),
      feePaid: new Decimal(0),
      feeCurrency: market.quote,
      fills: [],
      onHold,
      onHoldCurrency: body.side === 'buy' ? market.quote : market.base,
    };
  }

  private placeMarketOrder(body: ValidOrderBody, price: Decimal, nowMs: number): SimOrder | SimError {
    const terms = fillTerms(body, price, true);
    if (terms.base.lte(0) || terms.quote.lt(body.market.minOrderInQuoteAsset)) {
      return simError(400, 217, 'The order value is lower than the minimum for this market.');
    }
    const { base, quote } = body.market;
    const enough =
      body.side === 'buy'
        ? this.holding(quote).available.gte(terms.quote.plus(terms.fee))
        : this.holding(base).available.gte(terms.base);
    if (!enough) return simError(400, 216, 'You do not have sufficient balance to complete this operation.');
    const order = this.newOrder(body, nowMs, new Decimal(0));
    this.store(order);
    this.settle(order, price, true, nowMs);
    return order;
  }

  private placeLimitOrder(body: ValidOrderBody, price: Decimal, nowMs: number): SimOrder | SimError {
    const limitPrice = body.price ?? price;
    const amount = body.amount ?? new Decimal(0);
    const notional = amount.mul(limitPrice);
    if (notional.lt(body.market.minOrderInQuoteAsset)) {
      return simError(400, 217, 'The order value is lower than the minimum for this market.');
    }
    const nd = body.market.notionalDecimals;
    // A buy holds enough for the worst case: its own price with the taker fee.
    const hold =
      body.side === 'buy'
        ? notional
            .toDecimalPlaces(nd, Decimal.ROUND_UP)
            .plus(notional.mul(SIM_TAKER_FEE_RATE).toDecimalPlaces(nd, Decimal.ROUND_UP))
        : amount;
    const holding = this.holding(body.side === 'buy' ? body.market.quote : body.market.base);
    if (holding.available.lt(hold)) {
      return simError(400, 216, 'You do not have sufficient balance to complete this operation.');
    }
    holding.available = holding.available.minus(hold);
    holding.inOrder = holding.inOrder.plus(hold);
    const order = this.newOrder(body, nowMs, hold);
    this.store(order);
    const crosses = body.side === 'buy' ? limitPrice.gte(price) : limitPrice.lte(price);
    if (crosses) this.settle(order, price, true, nowMs);
    return order;
  }

  /** Fills the rest of `order` at `price`, releases what it held and moves the money. */
  private settle(order: SimOrder, price: Decimal, taker: boolean, nowMs: number): void {
    const market = this.markets.get(order.market);
    if (market === undefined) return;
    const remainingAmount = order.amount?.minus(order.filledAmount);
    const terms = fillTerms(
      { market, side: order.side, amount: remainingAmount, amountQuote: order.amountQuote },
      price,
      taker,
    );
    const held = this.holding(order.onHoldCurrency);
    held.inOrder = held.inOrder.minus(order.onHold);
    held.available = held.available.plus(order.onHold);
    order.onHold = new Decimal(0);
    const base = this.holding(market.base);
    const quote = this.holding(market.quote);
    if (order.side === 'buy') {
      quote.available = quote.available.minus(terms.quote).minus(terms.fee);
      base.available = base.available.plus(terms.base);
    } else {
      base.available = base.available.minus(terms.base);
      quote.available = quote.available.plus(terms.quote).minus(terms.fee);
    }
    order.fills.push({
      id: this.ids.uuid(),
      timestampMs: nowMs,
      amount: terms.base,
      price,
      taker,
      fee: terms.fee,
      feeCurrency: market.quote,
    });
    order.filledAmount = order.filledAmount.plus(terms.base);
    order.filledAmountQuote = order.filledAmountQuote.plus(terms.quote);
    order.feePaid = order.feePaid.plus(terms.fee);
    order.status = 'filled';
    order.updatedMs = nowMs;
  }

  /** Moves the price and fills the resting limit orders it crosses. */
  setPrice(market: string, price: Decimal, nowMs: number): SimOrder[] | SimError {
    if (!this.markets.has(market)) return simError(400, 205, 'Invalid parameter value: market');
    if (price.lte(0)) return simError(400, 205, 'Invalid parameter value: price');
    this.prices.set(market, price);
    const filled: SimOrder[] = [];
    for (const order of this.orders.openOrders(market)) {
      if (
        order.market !== market ||
        order.orderType !== 'limit' ||
        !isOpen(order) ||
        order.price === undefined
      )
        continue;
      const crosses = order.side === 'buy' ? price.lte(order.price) : price.gte(order.price);
      if (!crosses) continue;
      this.settle(order, order.price, false, nowMs);
      filled.push(order);
    }
    return filled;
  }

  findOrder(market: string, ref: OrderRef): SimOrder | undefined {
    return this.orders.find(market, ref);
  }

  cancelOrder(market: string, ref: OrderRef, nowMs: number): SimOrder | SimError {
    const order = this.orders
      .openOrders(market)
      .find((o) =>
        ref.clientOrderId !== undefined ? o.clientOrderId === ref.clientOrderId : o.orderId === ref.orderId,
      );
    if (order === undefined) return ORDER_NOT_FOUND;
    const held = this.holding(order.onHoldCurrency);
    held.inOrder = held.inOrder.minus(order.onHold);
    held.available = held.available.plus(order.onHold);
    order.onHold = new Decimal(0);
    order.status = 'canceled';
    order.updatedMs = nowMs;
    return order;
  }

  /** Orders of a market, newest first, created within [startMs, endMs]. */
  listOrders(market: string, query: { startMs?: number; endMs?: number; limit: number }): SimOrder[] {
    const result: SimOrder[] = [];
    const orders = this.orders.all();
    for (let i = orders.length - 1; i >= 0 && result.length < query.limit; i -= 1) {
      const order = orders[i];
      if (order === undefined || order.market !== market) continue;
      if (query.startMs !== undefined && order.createdMs < query.startMs) continue;
      if (query.endMs !== undefined && order.createdMs > query.endMs) continue;
      result.push(order);
    }
    return result;
  }

  openOrders(market: string | undefined): SimOrder[] {
    return this.orders.openOrders(market).reverse();
  }

  allOrders(): readonly SimOrder[] {
    return this.orders.all();
  }

  setBalance(symbol: string, available: Decimal): void {
    this.holding(symbol).available = available;
  }

  balanceList(symbol: string | undefined): { symbol: string; available: string; inOrder: string }[] {
    const render = (s: string, h: Holding) => ({
      symbol: s,
      available: h.available.toFixed(),
      inOrder: h.inOrder.toFixed(),
    });
    if (symbol !== undefined) return [render(symbol, this.holding(symbol))];
    return [...this.balances.entries()]
      .filter(([, h]) => !h.available.isZero() || !h.inOrder.isZero())
      .map(([s, h]) => render(s, h));
  }

  private holding(symbol: string): Holding {
    let holding = this.balances.get(symbol);
    if (holding === undefined) {
      holding = { available: new Decimal(0), inOrder: new Decimal(0) };
      this.balances.set(symbol, holding);
    }
    return holding;
  }

  private store(order: SimOrder): void {
    this.orders.add(order);
  }
}
