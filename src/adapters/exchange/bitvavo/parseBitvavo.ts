import { z } from 'zod';
import type { Balance, ExchangeFill, ExchangeOrder, MarketRules } from '../../../domain/ports/exchange';
import { exchangeOrderStatusSchema } from '../../../domain/execution/eventFields';

/** Bitvavo sends some integers as strings in places (e.g. `quantityDecimals` in older payloads). */
const intLike = z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)]);
const decimalString = z.string().regex(/^-?\d+(\.\d+)?$/);

export const errorBodySchema = z.object({ errorCode: z.number().int(), error: z.string().optional() });

const fillSchema = z.object({
  id: z.string(),
  timestamp: z.number(),
  amount: decimalString,
  price: decimalString,
  fee: decimalString.optional(),
  feeCurrency: z.string().optional(),
  settled: z.boolean().optional(),
});

const orderStatusSchema = exchangeOrderStatusSchema;

const orderSchema = z.object({
  orderId: z.string().min(1),
  clientOrderId: z.string().optional(),
  market: z.string(),
  created: z.number(),
  updated: z.number(),
  status: orderStatusSchema,
  side: z.enum(['buy', 'sell']),
  orderType: z.enum(['market', 'limit']),
  amount: decimalString.optional(),
  amountQuote: decimalString.optional(),
  price: decimalString.optional(),
  filledAmount: decimalString.default('0'),
  filledAmountQuote: decimalString.default('0'),
  feePaid: decimalString.default('0'),
  feeCurrency: z.string().optional(),
  fills: z.array(fillSchema).default([]),
});

function toFill(fill: z.infer<typeof fillSchema>, quoteCurrency: string): ExchangeFill {
  return {
    id: fill.id,
    timestampMs: fill.timestamp,
    amount: fill.amount,
    price: fill.price,
    // An unsettled fill carries no fee yet (Bitvavo omits the field).
    fee: fill.fee ?? '0',
    feeCurrency: fill.feeCurrency ?? quoteCurrency,
    settled: fill.settled ?? true,
  };
}

function toOrder(order: z.infer<typeof orderSchema>): ExchangeOrder {
  const quoteCurrency = order.market.split('-')[1] ?? '';
  return {
    orderId: order.orderId,
    clientOrderId: order.clientOrderId,
    market: order.market,
    side: order.side,
    orderType: order.orderType,
    status: order.status,
    amount: order.amount,
    amountQuote: order.amountQuote,
    price: order.price,
    filledAmount: order.filledAmount,
    filledAmountQuote: order.filledAmountQuote,
    feePaid: order.feePaid,
    feeCurrency: order.feeCurrency,
    fills: order.fills.map((fill) => toFill(fill, quoteCurrency)),
    createdMs: order.created,
    updatedMs: order.updated,
  };
}

export type Parsed<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string };

const problemOf = (error: z.ZodError): string =>
  error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`)
    .join('; ');

export function parseOrder(body: unknown): Parsed<ExchangeOrder> {
  const parsed = orderSchema.safeParse(body);
  return parsed.success
    ? { ok: true, value: toOrder(parsed.data) }
    : { ok: false, problem: problemOf(parsed.error) };
}

/**
 * A list of orders. Orders of a type the ledger never places (stop-loss, take-profit, placed by hand)
 * are left out; any other unreadable order fails the whole list, because a sweep that silently skipped
 * an order could wrongly conclude that an order was never placed.
 */
export function parseOrderList(body: unknown): Parsed<ExchangeOrder[]> {
  if (!Array.isArray(body)) return { ok: false, problem: 'expected an array of orders' };
  const orders: ExchangeOrder[] = [];
  for (const item of body) {
    const orderType = (item as { orderType?: unknown } | null)?.orderType;
    if (orderType !== 'market' && orderType !== 'limit') continue;
    const parsed = parseOrder(item);
    if (!parsed.ok) return parsed;
    orders.push(parsed.value);
  }
  return { ok: true, value: orders };
}

const cancelSchema = z.object({ orderId: z.string().min(1) });

export function parseCancel(body: unknown): Parsed<{ orderId: string }> {
  const parsed = cancelSchema.safeParse(body);
  return parsed.success
    ? { ok: true, value: { orderId: parsed.data.orderId } }
    : { ok: false, problem: problemOf(parsed.error) };
}

const balanceSchema = z.array(
  z.object({ symbol: z.string(), available: decimalString, inOrder: decimalString }),
);

export function parseBalances(body: unknown): Parsed<Balance[]> {
  const parsed = balanceSchema.safeParse(body);
  return parsed.success
    ? {
        ok: true,
        value: parsed.data.map((b) => ({ symbol: b.symbol, available: b.available, inOrder: b.inOrder })),
      }
    : { ok: false, problem: problemOf(parsed.error) };
}

const marketSchema = z.object({
  market: z.string(),
  status: z.string(),
  base: z.string(),
  quote: z.string(),
  pricePrecision: intLike.default(5),
  quantityDecimals: intLike.default(8),
  notionalDecimals: intLike.default(2),
  tickSize: decimalString.default('0'),
  minOrderInBaseAsset: decimalString,
  minOrderInQuoteAsset: decimalString,
  maxOrderInBaseAsset: decimalString,
  maxOrderInQuoteAsset: decimalString,
  orderTypes: z.array(z.string()).default(['market', 'limit']),
});

function toMarketStatus(status: string): MarketRules['status'] {
  if (status === 'trading') return 'trading';
  // auctionMatching and cancelOnly do not take new orders either.
  return status === 'auction' || status === 'auctionMatching' ? 'auction' : 'halted';
}

export function parseMarkets(body: unknown): Parsed<MarketRules[]> {
  const parsed = z.array(marketSchema).safeParse(body);
  if (!parsed.success) return { ok: false, problem: problemOf(parsed.error) };
  return {
    ok: true,
    value: parsed.data.map((m) => ({
      market: m.market,
      status: toMarketStatus(m.status),
      base: m.base,
      quote: m.quote,
      pricePrecision: m.pricePrecision,
      quantityDecimals: m.quantityDecimals,
      notionalDecimals: m.notionalDecimals,
      tickSize: m.tickSize,
      minOrderInBaseAsset: m.minOrderInBaseAsset,
      minOrderInQuoteAsset: m.minOrderInQuoteAsset,
      maxOrderInBaseAsset: m.maxOrderInBaseAsset,
      maxOrderInQuoteAsset: m.maxOrderInQuoteAsset,
      orderTypes: m.orderTypes.filter((t): t is 'market' | 'limit' => t === 'market' || t === 'limit'),
    })),
  };
}

const tickerSchema = z.object({ market: z.string(), price: decimalString });

export function parseTickerPrice(body: unknown): Parsed<string> {
  const parsed = tickerSchema.safeParse(body);
  return parsed.success
    ? { ok: true, value: parsed.data.price }
    : { ok: false, problem: problemOf(parsed.error) };
}

const timeSchema = z.object({ time: z.number() });

export function parseTime(body: unknown): Parsed<number> {
  const parsed = timeSchema.safeParse(body);
  return parsed.success
    ? { ok: true, value: parsed.data.time }
    : { ok: false, problem: problemOf(parsed.error) };
}
