import { Decimal } from 'decimal.js';
import { isUuid } from '../../../domain/exchange/isUuid';
import { simError, type SimError } from './simError';
import type { SimMarketConfig } from './simulatorDefaults';

/** A create-order request that passed Bitvavo's parameter checks. */
export interface ValidOrderBody {
  readonly market: SimMarketConfig;
  readonly side: 'buy' | 'sell';
  readonly orderType: 'market' | 'limit';
  readonly amount: Decimal | undefined;
  readonly amountQuote: Decimal | undefined;
  readonly price: Decimal | undefined;
  readonly clientOrderId: string | undefined;
  readonly operatorId: number;
}

const ALLOWED_PARAMS = new Set([
  'market',
  'side',
  'orderType',
  'amount',
  'amountQuote',
  'price',
  'clientOrderId',
  'operatorId',
  'timeInForce',
  'postOnly',
  'selfTradePrevention',
  'responseRequired',
  'disableMarketProtection',
]);
const DECIMAL = /^\d+(\.\d+)?$/;

function decimalsOf(value: string): number {
  const dot = value.indexOf('.');
  return dot === -1 ? 0 : value.length - dot - 1;
}

function parseAmount(
  body: Record<string, unknown>,
  field: string,
  maxDecimals: number,
): Decimal | SimError | undefined {
  const raw = body[field];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !DECIMAL.test(raw))
    return simError(400, 205, `Invalid parameter value: ${field}`);
  const value = new Decimal(raw);
  if (value.lte(0)) return simError(400, 205, `Invalid parameter value: ${field}`);
  if (decimalsOf(raw) > maxDecimals) return simError(400, 429, `${field} has too many decimal places`);
  return value;
}

const isError = (value: unknown): value is SimError =>
  typeof value === 'object' && value !== null && 'errorCode' in value;

/** Bitvavo's checks of a create-order body, in roughly the order the exchange makes them. */
export function validateOrderBody(
  body: unknown,
  markets: ReadonlyMap<string, SimMarketConfig>,
): ValidOrderBody | SimError {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return simError(400, 102, 'The JSON object you sent is invalid.');
  }
  const record = body as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!ALLOWED_PARAMS.has(key)) return simError(400, 204, `${key} parameter is not supported.`);
  }
  for (const required of ['market', 'side', 'orderType', 'operatorId']) {
    if (record[required] === undefined) return simError(400, 203, `${required} parameter is required.`);
  }
  const market = typeof record.market === 'string' ? markets.get(record.market) : undefined;
  if (market === undefined) return simError(400, 205, 'Invalid parameter value: market');
  if (record.side !== 'buy' && record.side !== 'sell')
    return simError(400, 205, 'Invalid parameter value: side');
  if (record.orderType !== 'market' && record.orderType !== 'limit') {
    return simError(400, 205, 'Invalid parameter value: orderType');
  }
  const operatorId = record.operatorId;
  if (typeof operatorId !== 'number' || !Number.isSafeInteger(operatorId) || operatorId < 1) {
    return simError(400, 205, 'Invalid parameter value: operatorId');
  }
  const clientOrderId = record.clientOrderId;
  if (clientOrderId !== undefined && (typeof clientOrderId !== 'string' || !isUuid(clientOrderId))) {
    return simError(400, 205, 'Invalid parameter value: clientOrderId must be a UUID');
  }
  if (record.timeInForce !== undefined && record.timeInForce !== 'GTC') {
    return simError(400, 205, 'Invalid parameter value: timeInForce (the simulator supports GTC only)');
  }

  const amount = parseAmount(record, 'amount', market.quantityDecimals);
  if (isError(amount)) return amount;
  const amountQuote = parseAmount(record, 'amountQuote', market.notionalDecimals);
  if (isError(amountQuote)) return amountQuote;
  const price = parseAmount(record, 'price', 15);
  if (isError(price)) return price;

  if (record.orderType === 'limit') {
    if (amountQuote !== undefined)
      return simError(400, 202, 'amountQuote parameter is not supported for limit orders.');
    if (amount === undefined || price === undefined) {
      return simError(400, 203, 'amount and price are required for limit orders.');
    }
    if (!price.mod(market.tickSize).isZero()) {
      return simError(400, 422, `price is not a multiple of the tick size ${market.tickSize}.`);
    }
  } else {
    if (price !== undefined) return simError(400, 202, 'price parameter is not supported for market orders.');
    if (amount !== undefined && amountQuote !== undefined) {
      return simError(400, 236, 'Only one of amount, amountRemaining or amountQuote is allowed.');
    }
    if (amount === undefined && amountQuote === undefined) {
      return simError(400, 203, 'amount or amountQuote is required for market orders.');
    }
  }
  if (amount !== undefined) {
    if (amount.lt(market.minOrderInBaseAsset)) return simError(400, 212, 'amount is lower than the minimum.');
    if (amount.gt(market.maxOrderInBaseAsset)) return simError(400, 210, 'amount exceeds the maximum.');
  }
  if (amountQuote !== undefined) {
    if (amountQuote.lt(market.minOrderInQuoteAsset))
      return simError(400, 217, 'amountQuote is lower than the minimum.');
    if (amountQuote.gt(market.maxOrderInQuoteAsset))
      return simError(400, 210, 'amountQuote exceeds the maximum.');
  }
  return {
    market,
    side: record.side,
    orderType: record.orderType,
    amount,
    amountQuote,
    price,
    clientOrderId,
    operatorId,
  };
}
