import { isUuid } from '../../../domain/exchange/isUuid';
import type { SimulatedExchange } from './SimulatedExchange';
import { isSimError, ORDER_NOT_FOUND, simError, type SimError } from './simError';
import { toBitvavoOrder } from './simOrder';
import { validateOrderBody } from './validateOrderBody';

export interface RouteContext {
  readonly query: URLSearchParams;
  readonly body: unknown;
  readonly nowMs: number;
  readonly exchange: SimulatedExchange;
}

export interface RouteAnswer {
  readonly status: number;
  readonly body: unknown;
}

export interface SimRoute {
  readonly method: 'GET' | 'POST' | 'DELETE';
  /** Below `/v2`, e.g. `/order`. */
  readonly endpoint: string;
  readonly private: boolean;
  readonly queryParams: readonly string[];
  readonly handle: (ctx: RouteContext) => RouteAnswer;
}

const ok = (body: unknown): RouteAnswer => ({ status: 200, body });
const fail = (error: SimError): RouteAnswer => ({
  status: error.status,
  body: { errorCode: error.errorCode, error: error.error },
});

function required(query: URLSearchParams, name: string): string | SimError {
  const value = query.get(name);
  return value === null || value === '' ? simError(400, 203, `${name} parameter is required.`) : value;
}

function optionalInt(
  query: URLSearchParams,
  name: string,
  min: number,
  max: number,
): number | undefined | SimError {
  const raw = query.get(name);
  if (raw === null) return undefined;
  const value = Number(raw);
  return Number.isInteger(value) && value >= min && value <= max
    ? value
    : simError(400, 205, `Invalid parameter value: ${name}`);
}

function orderRef(query: URLSearchParams): { orderId?: string; clientOrderId?: string } | SimError {
  const orderId = query.get('orderId') ?? undefined;
  const clientOrderId = query.get('clientOrderId') ?? undefined;
  if (orderId === undefined && clientOrderId === undefined) {
    return simError(400, 203, 'orderId or clientOrderId parameter is required.');
  }
  if (clientOrderId !== undefined && !isUuid(clientOrderId)) {
    return simError(400, 205, 'Invalid parameter value: clientOrderId');
  }
  // Bitvavo uses clientOrderId when both are given.
  return clientOrderId !== undefined ? { clientOrderId } : { orderId: orderId ?? '' };
}

function knownMarket(ctx: RouteContext): string | SimError {
  const market = required(ctx.query, 'market');
  if (isSimError(market)) return market;
  return ctx.exchange.markets.has(market) ? market : simError(400, 205, 'Invalid parameter value: market');
}

function marketJson(ctx: RouteContext, market: string): Record<string, unknown> | undefined {
  const config = ctx.exchange.markets.get(market);
  if (config === undefined) return undefined;
  return {
    market: config.market,
    status: 'trading',
    base: config.base,
    quote: config.quote,
    pricePrecision: config.pricePrecision,
    minOrderInBaseAsset: config.minOrderInBaseAsset,
    minOrderInQuoteAsset: config.minOrderInQuoteAsset,
    maxOrderInBaseAsset: config.maxOrderInBaseAsset,
    maxOrderInQuoteAsset: config.maxOrderInQuoteAsset,
    quantityDecimals: config.quantityDecimals,
    notionalDecimals: config.notionalDecimals,
    tickSize: config.tickSize,
    maxOpenOrders: 100,
    feeCategory: 'A',
    orderTypes: ['market', 'limit'],
  };
}

/** The Bitvavo REST v2 endpoints the simulator speaks. */
export const SIM_ROUTES: readonly SimRoute[] = [
  {
    method: 'GET',
    endpoint: '/time',
    private: false,
    queryParams: [],
    handle: (ctx) => ok({ time: ctx.nowMs, timeNs: ctx.nowMs * 1_000_000 }),
  },
  {
    method: 'GET',
    endpoint: '/markets',
    private: false,
    queryParams: ['market'],
    handle: (ctx) => {
      const market = ctx.query.get('market');
      if (market === null) return ok([...ctx.exchange.markets.keys()].map((m) => marketJson(ctx, m)));
      const json = marketJson(ctx, market);
      return json === undefined ? fail(simError(400, 205, 'Invalid parameter value: market')) : ok(json);
    },
  },
  {
    method: 'GET',
    endpoint: '/ticker/price',
    private: false,
    queryParams: ['market'],
    handle: (ctx) => {
      const market = ctx.query.get('market');
      const render = (m: string) => ({ market: m, price: ctx.exchange.price(m)?.toFixed() });
      if (market === null) return ok([...ctx.exchange.markets.keys()].map(render));
      return ctx.exchange.markets.has(market)
        ? ok(render(market))
        : fail(simError(400, 205, 'Invalid parameter value: market'));
    },
  },
  {
    method: 'GET',
    endpoint: '/balance',
    private: true,
    queryParams: ['symbol'],
    handle: (ctx) => ok(ctx.exchange.balanceList(ctx.query.get('symbol') ?? undefined)),
  },
  {
    method: 'POST',
    endpoint: '/order',
    private: true,
    queryParams: [],
    handle: (ctx) => {
      const valid = validateOrderBody(ctx.body, ctx.exchange.markets);
      if (isSimError(valid)) return fail(valid);
      const order = ctx.exchange.placeOrder(valid, ctx.nowMs);
      return isSimError(order) ? fail(order) : ok(toBitvavoOrder(order));
    },
  },
  {
    method: 'GET',
    endpoint: '/order',
    private: true,
    queryParams: ['market', 'orderId', 'clientOrderId'],
    handle: (ctx) => {
      const market = knownMarket(ctx);
      if (isSimError(market)) return fail(market);
      const ref = orderRef(ctx.query);
      if (isSimError(ref)) return fail(ref);
      const order = ctx.exchange.findOrder(market, ref);
      return order === undefined ? fail(ORDER_NOT_FOUND) : ok(toBitvavoOrder(order));
    },
  },
  {
    method: 'DELETE',
    endpoint: '/order',
    private: true,
    queryParams: ['market', 'orderId', 'clientOrderId', 'operatorId'],
    handle: (ctx) => {
      const market = knownMarket(ctx);
      if (isSimError(market)) return fail(market);
      const ref = orderRef(ctx.query);
      if (isSimError(ref)) return fail(ref);
      const operatorId = required(ctx.query, 'operatorId');
      if (isSimError(operatorId)) return fail(operatorId);
      if (!/^[1-9]\d{0,15}$/.test(operatorId))
        return fail(simError(400, 205, 'Invalid parameter value: operatorId'));
      const order = ctx.exchange.cancelOrder(market, ref, ctx.nowMs);
      if (isSimError(order)) return fail(order);
      return ok({
        orderId: order.orderId,
        ...(order.clientOrderId === undefined ? {} : { clientOrderId: order.clientOrderId }),
        operatorId: Number(operatorId),
      });
    },
  },
  {
    method: 'GET',
    endpoint: '/orders',
    private: true,
    queryParams: ['market', 'limit', 'start', 'end', 'orderIdFrom', 'orderIdTo'],
    handle: (ctx) => {
      const market = knownMarket(ctx);
      if (isSimError(market)) return fail(market);
      const limit = optionalInt(ctx.query, 'limit', 1, 1000);
      if (isSimError(limit)) return fail(limit);
      const startMs = optionalInt(ctx.query, 'start', 0, 8_640_000_000_000_000);
      if (isSimError(startMs)) return fail(startMs);
      const endMs = optionalInt(ctx.query, 'end', 0, 8_640_000_000_000_000);
      if (isSimError(endMs)) return fail(endMs);
      const orders = ctx.exchange.listOrders(market, {
        limit: limit ?? 500,
        ...(startMs === undefined ? {} : { startMs }),
        ...(endMs === undefined ? {} : { endMs }),
      });
      return ok(orders.map(toBitvavoOrder));
    },
  },
  {
    method: 'GET',
    endpoint: '/ordersOpen',
    private: true,
    queryParams: ['market', 'base'],
    handle: (ctx) => {
      const market = ctx.query.get('market');
      if (market !== null && !ctx.exchange.markets.has(market)) {
        return fail(simError(400, 205, 'Invalid parameter value: market'));
      }
      return ok(ctx.exchange.openOrders(market ?? undefined).map(toBitvavoOrder));
    },
  },
];

/** The route for a request, or the Bitvavo error for a path or method it does not know. */
export function findRoute(method: string, endpoint: string): SimRoute | SimError {
  const route = SIM_ROUTES.find((r) => r.method === method && r.endpoint === endpoint);
  return route ?? simError(404, 110, 'Invalid endpoint. Please check url and HTTP method.');
}

export function checkQueryParams(route: SimRoute, query: URLSearchParams): SimError | undefined {
  for (const key of query.keys()) {
    if (!route.queryParams.includes(key)) return simError(400, 200, `${key} url parameter is not supported.`);
  }
  return undefined;
}

export { fail as failAnswer };
