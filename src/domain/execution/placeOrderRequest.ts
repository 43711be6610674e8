import type { PlaceOrderRequest } from '../ports/exchange';
import type { Execution } from './executionState';

/** The order to send (or re-send, with the same clientOrderId) for an execution. */
export function placeOrderRequestOf(execution: Execution): PlaceOrderRequest {
  return {
    market: execution.market,
    side: execution.side,
    orderType: execution.orderType,
    clientOrderId: execution.clientOrderId,
    ...(execution.amount === null ? {} : { amount: execution.amount }),
    ...(execution.amountQuote === null ? {} : { amountQuote: execution.amountQuote }),
    ...(execution.price === null ? {} : { price: execution.price }),
  };
}
