import type { Logger } from 'pino';
import { applyMarketRules } from '../../../domain/exchange/applyMarketRules';
import { isUuid } from '../../../domain/exchange/isUuid';
import type { Clock } from '../../../domain/ports/clock';
import type {
  Balance,
  Exchange,
  ExchangeFailure,
  ExchangeOrder,
  ExchangeResult,
  ListOrdersQuery,
  MarketRules,
  PlaceOrderRequest,
} from '../../../domain/ports/exchange';
import { BitvavoHttp, type BitvavoClientHooks, type CallSpec } from './bitvavoHttp';
import { HttpTransport } from './httpTransport';
import {
  parseBalances,
  parseCancel,
  parseMarkets,
  parseOrder,
  parseOrderList,
  parseTickerPrice,
  type Parsed,
} from './parseBitvavo';
import { RateLimitBudget } from './rateLimitBudget';

export interface BitvavoClientOptions {
  /** The API root including the version, e.g. `https://api.bitvavo.com/v2`. */
  readonly apiUrl: string;
  readonly apiKey: string;
  readonly apiSecret: string;
  /** Bitvavo requires it on create and cancel: who (which bot) acted. */
  readonly operatorId: number;
  readonly timeoutMs: number;
  readonly accessWindowMs: number;
  readonly logger: Logger;
  readonly clock?: Clock;
  /** The key's budget until the exchange reports its own (default 1000). */
  readonly rateLimitPerMin?: number;
  /** Points only orders and cancels may use (default a tenth of the budget). */
  readonly orderReserveWeight?: number;
  readonly marketsCacheTtlMs?: number;
  /** Default 10 minutes; 0 disables server-time syncing (the local clock is trusted). */
  readonly timeSyncIntervalMs?: number;
  readonly hooks?: BitvavoClientHooks;
}

const systemClock: Clock = { nowMs: () => Date.now() };
const MAX_LIST_LIMIT = 1000;

const localFailure = (
  errorClass: ExchangeFailure['errorClass'],
  errorCode: number | undefined,
  message: string,
): ExchangeFailure => ({ ok: false, errorClass, httpStatus: undefined, errorCode, message });

/**
 * The exchange port on Bitvavo REST v2. Every method resolves to an ExchangeResult; failures carry the
 * error class of DESIGN §3. Orders are checked against the market rules (cached from GET /markets)
 * and refused before sending when they cannot pass; nothing is ever re-sent here.
 */
export class BitvavoClient implements Exchange {
  private readonly http: BitvavoHttp;
  private readonly transport: HttpTransport;
  private readonly clock: Clock;
  private readonly marketsCacheTtlMs: number;
  private marketsCache:
    { readonly fetchedAtMs: number; readonly rules: Map<string, MarketRules> } | undefined;

  constructor(private readonly options: BitvavoClientOptions) {
    const url = new URL(options.apiUrl);
    this.clock = options.clock ?? systemClock;
    this.marketsCacheTtlMs = options.marketsCacheTtlMs ?? 5 * 60_000;
    this.transport = new HttpTransport(url.origin, {
      connectTimeoutMs: Math.min(options.timeoutMs, 5_000),
    });
    this.http = new BitvavoHttp({
      transport: this.transport,
      basePath: url.pathname.replace(/\/+$/, ''),
      apiKey: options.apiKey,
      apiSecret: options.apiSecret,
      timeoutMs: options.timeoutMs,
      accessWindowMs: options.accessWindowMs,
      clock: this.clock,
      logger: options.logger,
      budget: new RateLimitBudget({
        ...(options.rateLimitPerMin === undefined ? {} : { limitPerMin: options.rateLimitPerMin }),
        ...(options.orderReserveWeight === undefined ? {} : { orderReserve: options.orderReserveWeight }),
      }),
      hooks: options.hooks ?? {},
      timeSyncIntervalMs: options.timeSyncIntervalMs ?? 10 * 60_000,
    });
  }

  async placeOrder(request: PlaceOrderRequest): Promise<ExchangeResult<ExchangeOrder>> {
    if (!isUuid(request.clientOrderId))
      return localFailure('HARD', 205, 'clientOrderId must be a UUID; not sent');
    const rules = await this.getMarketRules(request.market);
    if (!rules.ok) return rules;
    const checked = applyMarketRules(request, rules.value);
    if (!checked.ok) {
      const { errorCode, message } = checked.violation;
      return localFailure('HARD', errorCode, `refused before sending: ${message}`);
    }
    const order = checked.request;
    if (checked.adjusted) {
      this.options.logger.info(
        { clientOrderId: order.clientOrderId, amount: order.amount, amountQuote: order.amountQuote },
        'order amount rounded down to the market decimals',
      );
    }
    // Key order is fixed so the signed body is stable and readable in captures.
    const body: Record<string, unknown> = {
      market: order.market,
      side: order.side,
      orderType: order.orderType,
      ...(order.amount === undefined ? {} : { amount: order.amount }),
      ...(order.amountQuote === undefined ? {} : { amountQuote: order.amountQuote }),
      ...(order.price === undefined ? {} : { price: order.price }),
      clientOrderId: order.clientOrderId,
      operatorId: this.options.operatorId,
    };
    const spec: CallSpec = { method: 'POST', endpoint: '/order', body, signed: true, priority: 'order' };
    return this.parsed(spec, parseOrder);
  }

  async getOrderByClientOrderId(
    market: string,
    clientOrderId: string,
  ): Promise<ExchangeResult<ExchangeOrder>> {
    if (!isUuid(clientOrderId)) return localFailure('HARD', 205, 'clientOrderId must be a UUID; not sent');
    const spec: CallSpec = {
      method: 'GET',
      endpoint: '/order',
      query: { market, clientOrderId },
      signed: true,
      priority: 'read',
    };
    return this.parsed(spec, parseOrder);
  }

  async listOrders(market: string, query: ListOrdersQuery): Promise<ExchangeResult<ExchangeOrder[]>> {
    const limit = Math.min(Math.max(1, query.limit ?? MAX_LIST_LIMIT), MAX_LIST_LIMIT);
    const spec: CallSpec = {
      method: 'GET',
      endpoint: '/orders',
      query: { market, limit, start: query.startMs, end: query.endMs },
      signed: true,
      priority: 'read',
    };
    return this.parsed(spec, parseOrderList);
  }

  async cancelOrder(
    market: string,
    id: { readonly orderId: string } | { readonly clientOrderId: string },
  ): Promise<ExchangeResult<{ orderId: string }>> {
    const spec: CallSpec = {
      method: 'DELETE',
      endpoint: '/order',
      query: { market, ...id, operatorId: this.options.operatorId },
      signed: true,
      priority: 'order',
    };
    return this.parsed(spec, parseCancel);
  }

  async getBalance(symbol?: string): Promise<ExchangeResult<Balance[]>> {
    const spec: CallSpec = {
      method: 'GET',
      endpoint: '/balance',
      query: { symbol },
      signed: true,
      priority: 'read',
    };
    return this.parsed(spec, parseBalances);
  }

  async getMarkets(): Promise<ExchangeResult<MarketRules[]>> {
    const result = await this.parsed(
      { method: 'GET', endpoint: '/markets', signed: false, priority: 'read' },
      parseMarkets,
    );
    if (result.ok) {
      this.marketsCache = {
        fetchedAtMs: this.clock.nowMs(),
        rules: new Map(result.value.map((rules) => [rules.market, rules])),
      };
    }
    return result;
  }

  /** The rules of one market, from the cache when it is fresh. */
  async getMarketRules(market: string): Promise<ExchangeResult<MarketRules>> {
    const cache = this.marketsCache;
    const fresh = cache !== undefined && this.clock.nowMs() - cache.fetchedAtMs < this.marketsCacheTtlMs;
    if (!fresh || !cache.rules.has(market)) {
      const refreshed = await this.getMarkets();
      // Without rules nothing is sent: the order certainly was not placed.
      if (!refreshed.ok) {
        return localFailure(
          'SOFT_NOT_EXECUTED',
          refreshed.errorCode,
          `market rules unavailable: ${refreshed.message}`,
        );
      }
    }
    const rules = this.marketsCache?.rules.get(market);
    return rules === undefined
      ? localFailure('HARD', 205, `unknown market ${market}; not sent`)
      : { ok: true, value: rules };
  }

  async getTickerPrice(market: string): Promise<ExchangeResult<string>> {
    return this.parsed(
      { method: 'GET', endpoint: '/ticker/price', query: { market }, signed: false, priority: 'read' },
      parseTickerPrice,
    );
  }

  /** GET /time now, instead of waiting for the next periodic sync. */
  syncServerTime(): Promise<void> {
    return this.http.syncServerTime();
  }

  serverTimeOffsetMs(): number {
    return this.http.serverTimeOffsetMs();
  }

  /** Weight points this client believes it has left in the current minute (0 while banned). */
  rateLimitRemaining(): number {
    return this.http.rateLimitRemaining();
  }

  /** When the rate-limit ban the exchange announced (105, 103, bare 429) ends, or `null` when none is known. */
  bannedUntilMs(): number | null {
    return this.http.bannedUntilMs();
  }

  async close(): Promise<void> {
    await this.transport.close();
  }

  private async parsed<T>(spec: CallSpec, parse: (body: unknown) => Parsed<T>): Promise<ExchangeResult<T>> {
    const result = await this.http.call(spec);
    if (!result.ok) return result;
    const parsed = parse(result.body);
    if (parsed.ok) return { ok: true, value: parsed.value };
    this.options.logger.warn(
      { method: spec.method, endpoint: spec.endpoint, problem: parsed.problem },
      'unreadable bitvavo answer',
    );
    return this.http.brokenResponse(spec, 200, parsed.problem);
  }
}

export function createBitvavoClient(options: BitvavoClientOptions): BitvavoClient {
  return new BitvavoClient(options);
}
