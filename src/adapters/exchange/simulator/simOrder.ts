import type { Decimal } from 'decimal.js';

export type SimOrderStatus = 'new' | 'partiallyFilled' | 'filled' | 'canceled';

export interface SimFill {
  readonly id: string;
  readonly timestampMs: number;
  readonly amount: Decimal;
  readonly price: Decimal;
  readonly taker: boolean;
  readonly fee: Decimal;
  readonly feeCurrency: string;
}

/** The simulator's order record; `toBitvavoOrder` renders it the way Bitvavo answers. */
export interface SimOrder {
  readonly orderId: string;
  readonly clientOrderId: string | undefined;
  readonly market: string;
  readonly side: 'buy' | 'sell';
  readonly orderType: 'market' | 'limit';
  readonly operatorId: number;
  readonly createdMs: number;
  readonly amount: Decimal | undefined;
  readonly amountQuote: Decimal | undefined;
  readonly price: Decimal | undefined;
  status: SimOrderStatus;
  updatedMs: number;
  filledAmount: Decimal;
  filledAmountQuote: Decimal;
  feePaid: Decimal;
  readonly feeCurrency: string;
  readonly fills: SimFill[];
  /** What the order holds back from the balance while it is open. */
  onHold: Decimal;
  readonly onHoldCurrency: string;
}

export const isOpen = (order: SimOrder): boolean =>
  order.status === 'new' || order.status === 'partiallyFilled';

export function toBitvavoOrder(order: SimOrder): Record<string, unknown> {
  const json: Record<string, unknown> = {
    orderId: order.orderId,
    ...(order.clientOrderId === undefined ? {} : { clientOrderId: order.clientOrderId }),
    market: order.market,
    created: order.createdMs,
    updated: order.updatedMs,
    status: order.status,
    side: order.side,
    orderType: order.orderType,
  };
  if (order.amount !== undefined) {
    json.amount = order.amount.toFixed();
    json.amountRemaining =
      order.status === 'canceled' ? '0' : order.amount.minus(order.filledAmount).toFixed();
  }
  if (order.price !== undefined) json.price = order.price.toFixed();
  if (order.amountQuote !== undefined) {
    json.amountQuote = order.amountQuote.toFixed();
    json.amountQuoteRemaining = isOpen(order)
      ? order.amountQuote.minus(order.filledAmountQuote).toFixed()
      : '0';
  }
  return {
    ...json,
    onHold: order.onHold.toFixed(),
    onHoldCurrency: order.onHoldCurrency,
    filledAmount: order.filledAmount.toFixed(),
    filledAmountQuote: order.filledAmountQuote.toFixed(),
    feePaid: order.feePaid.toFixed(),
    feeCurrency: order.feeCurrency,
    fills: order.fills.map((fill) => ({
      id: fill.id,
      timestamp: fill.timestampMs,
      amount: fill.amount.toFixed(),
      price: fill.price.toFixed(),
      taker: fill.taker,
      fee: fill.fee.toFixed(),
      feeCurrency: fill.feeCurrency,
      settled: true,
    })),
    selfTradePrevention: 'decrementAndCancel',
    visible: order.orderType === 'limit' && isOpen(order),
    timeInForce: 'GTC',
    postOnly: false,
    operatorId: order.operatorId,
  };
}
