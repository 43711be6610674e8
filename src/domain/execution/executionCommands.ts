import type { ExchangeOrder, ExchangeResult, OrderType, Side } from '../ports/exchange';
import type { GateResult } from '../gates/gateResult';
import type { TradeProposal } from '../gates/tradeProposal';

/** A trade proposal as the API received it (decimals as strings). */
export interface ExecutionProposal {
  readonly clientOrderId: string;
  readonly userId: string;
  readonly market: string;
  readonly side: Side;
  readonly orderType: OrderType;
  readonly amount: string | null;
  readonly amountQuote: string | null;
  readonly price: string | null;
  readonly expiresAt: string;
}

/** The validated proposal of the gates (optional fields) as the execution records it (explicit nulls). */
export function toExecutionProposal(
  clientOrderId: string,
  userId: string,
  proposal: TradeProposal,
): ExecutionProposal {
  return {
    clientOrderId,
    userId,
    market: proposal.market,
    side: proposal.side,
    orderType: proposal.orderType,
    amount: proposal.amount ?? null,
    amountQuote: proposal.amountQuote ?? null,
    price: proposal.price ?? null,
    expiresAt: proposal.expiresAt,
  };
}

/** Gates ran: write the intent (ExecutionSubmitting) or the refusal (ExecutionRejected). */
export interface StartExecution {
  readonly type: 'StartExecution';
  readonly proposal: ExecutionProposal;
  /** Hex sha256 of `canonicalRequestJson(body)`. */
  readonly requestHash: string;
  /** What `evaluateGates` returned (src/domain/gates). */
  readonly gate: GateResult;
}

/** What the send (first or re-send) answered. `sentAt` was taken just before the request was signed. */
export interface RecordSendOutcome {
  readonly type: 'RecordSendOutcome';
  readonly sentAt: string;
  readonly result: ExchangeResult<ExchangeOrder>;
}

/** The fills job looked at an acknowledged order. */
export interface RecordOrderUpdate {
  readonly type: 'RecordOrderUpdate';
  readonly order: ExchangeOrder;
}

/** An operator resolves a stuck SUBMITTING execution after checking the exchange by hand. */
export interface AbandonExecution {
  readonly type: 'AbandonExecution';
  readonly operatorId: string;
  readonly note: string;
}

export type ExecutionCommand = StartExecution | RecordSendOutcome | RecordOrderUpdate | AbandonExecution;
