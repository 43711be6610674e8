/**
 * Typed domain errors of the execution stream. `code` is stable (clients and tests match on it);
 * `httpStatus` is what the API answers when the error reaches it.
 */
export const EXECUTION_ERROR_HTTP_STATUS = {
  /** A command that needs an execution found none. */
  EXECUTION_NOT_FOUND: 404,
  /** The key exists with the same request: answer from the stream, send nothing. */
  EXECUTION_ALREADY_EXISTS: 409,
  /** The key exists with a different request body (Stripe / TigerBeetle rule). */
  IDEMPOTENCY_KEY_REUSED: 409,
  /** The command needs SUBMITTING (a send in flight) and the execution is past it. */
  NOT_IN_FLIGHT: 409,
  /** The latest send already has a failed outcome recorded; a second one would blur the evidence. */
  OUTCOME_ALREADY_RECORDED: 409,
  /** The command needs an order on the exchange (SUBMITTED or PARTIALLY_FILLED). */
  NOT_ON_EXCHANGE: 409,
  /** The exchange answered about another order (other clientOrderId, order id or market). */
  ORDER_MISMATCH: 502,
  /** The status × event pair is not in the transition table. */
  ILLEGAL_TRANSITION: 409,
  /** A fill id that is already recorded (fills are never counted twice). */
  DUPLICATE_FILL: 500,
  /** Fills or totals above the order amount. */
  OVERFILL: 500,
  /** Event data that fails its schema on write or read. */
  INVALID_EVENT: 500,
  /** A command whose own input is invalid (bad proposal shape, blank note...). */
  INVALID_COMMAND: 400,
} as const;

export type ExecutionErrorCode = keyof typeof EXECUTION_ERROR_HTTP_STATUS;

export class ExecutionError extends Error {
  override readonly name: string = 'ExecutionError';
  readonly httpStatus: number;
  constructor(
    readonly code: ExecutionErrorCode,
    message: string,
    readonly clientOrderId: string | null = null,
  ) {
    super(message);
    this.httpStatus = EXECUTION_ERROR_HTTP_STATUS[code];
  }
}

/** Thrown by `evolveExecution` (and so by replay) for a pair that is not in the transition table. */
export class IllegalTransition extends ExecutionError {
  override readonly name = 'IllegalTransition';
  constructor(
    readonly fromStatus: string,
    readonly eventType: string,
    clientOrderId: string | null,
  ) {
    super(
      'ILLEGAL_TRANSITION',
      `illegal transition: ${eventType} in status ${fromStatus}` +
        (clientOrderId === null ? '' : ` (execution ${clientOrderId})`),
      clientOrderId,
    );
  }
}

export class InvalidExecutionEvent extends ExecutionError {
  override readonly name = 'InvalidExecutionEvent';
  constructor(
    readonly eventType: string,
    readonly issues: string,
  ) {
    super('INVALID_EVENT', `invalid ${eventType} event: ${issues}`);
  }
}
