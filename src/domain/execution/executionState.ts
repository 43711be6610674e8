import type { ExchangeOrderStatus, OrderType, Side } from '../ports/exchange';
import type { GateEvidence, ExecutionRejectCode } from './proposalEvents';
import type { UnknownOutcomeClass } from './submissionEvents';
import type { ExecutionStatus } from './executionStatus';

export interface ExecutionLastError {
  /** Where it came from: the send, a reconcile lookup. */
  readonly source: 'send' | 'reconcile';
  readonly errorClass: string | null;
  readonly httpStatus: number | null;
  readonly errorCode: number | null;
  readonly message: string;
  readonly at: string;
}

/**
 * Everything the API and the read models show about one execution, folded from its events alone.
 * Decimals are plain strings (never floats); times are ISO strings from the events.
 */
export interface Execution {
  readonly status: ExecutionStatus;
  readonly clientOrderId: string;
  readonly userId: string;
  readonly market: string;
  readonly side: Side;
  readonly orderType: OrderType;
  readonly amount: string | null;
  readonly amountQuote: string | null;
  readonly price: string | null;
  readonly expiresAt: string;
  readonly requestHash: string;
  /** Set when the gates let it through; `null` for a rejected proposal. */
  readonly gateEvidence: GateEvidence | null;
  readonly rejectCode: ExecutionRejectCode | null;
  readonly rejectReason: string | null;
  readonly exchangeOrderId: string | null;
  /** The exchange's status as last seen (from Submitted). */
  readonly exchangeStatus: ExchangeOrderStatus | null;
  readonly submittingAt: string | null;
  readonly submittedAt: string | null;
  readonly rejectedAt: string | null;
  /** The start of the latest send's access window: a re-send's or an unknown outcome's `sentAt`. */
  readonly lastSentAt: string | null;
  /** When it reached a terminal status (FILLED: the filled_at of the read model). */
  readonly endedAt: string | null;
  /** Why the exchange ended it (Cancelled / Expired) or why it was abandoned. */
  readonly endReason: string | null;
  readonly abandonNote: string | null;
  readonly abandonedBy: string | null;
  readonly updatedAt: string;
  /** Lookups recorded (ReconcileAttempted), over the whole life of the execution. */
  readonly reconcileAttempts: number;
  /** Re-sends recorded (SubmissionRetried). */
  readonly retries: number;
  /** True once the outcome of a send was unknown or a lookup was needed (the recovery-rate numerator). */
  readonly neededReconciliation: boolean;
  /**
   * The latest send's unknown outcome (the least safe class if more than one was recorded), or `null`
   * while that send has none. Reset by a re-send.
   */
  readonly lastSendOutcome: UnknownOutcomeClass | null;
  /** Real 240 answers from GET /order after the latest send's window (reset by a re-send). */
  readonly notFoundAfterWindowCount: number;
  /** A complete GET /orders sweep after the latest send's window did not list the clientOrderId. */
  readonly sweepNotListedAfterWindow: boolean;
  readonly filledAmount: string;
  readonly filledAmountQuote: string;
  readonly feePaid: string;
  readonly feeCurrency: string | null;
  /** Recorded fill ids in order, each once (a set kept as an array so that the state serializes). */
  readonly fillIds: readonly string[];
  readonly lastError: ExecutionLastError | null;
  /** Number of events folded: the stream's next expected revision is `version - 1`. */
  readonly version: number;
}

export interface NoExecution {
  readonly status: 'NONE';
  readonly version: 0;
}

export type ExecutionState = NoExecution | Execution;

export function initialExecutionState(): ExecutionState {
  return { status: 'NONE', version: 0 };
}

export function executionExists(state: ExecutionState): state is Execution {
  return state.status !== 'NONE';
}

/** The expected revision for the next append to this execution's stream. */
export function expectedRevisionOf(state: ExecutionState): 'no_stream' | bigint {
  return state.version === 0 ? 'no_stream' : BigInt(state.version - 1);
}
