/** Why the trading-control decider refused a command; stable codes, one HTTP status each. */
export const TRADING_CONTROL_ERROR_HTTP_STATUS = {
  INVALID_TIMESTAMP: 400,
  ACTOR_REQUIRED: 400,
  REASON_REQUIRED: 400,
  INVALID_MARKET: 400,
  ALLOWLIST_TOO_LONG: 400,
  /** Limits and notionals are in EUR: only EUR markets can be traded. */
  MARKET_NOT_EUR: 422,
} as const;

export type TradingControlErrorCode = keyof typeof TRADING_CONTROL_ERROR_HTTP_STATUS;

export class TradingControlError extends Error {
  override readonly name = 'TradingControlError';
  readonly httpStatus: number;
  constructor(
    readonly code: TradingControlErrorCode,
    message: string,
  ) {
    super(message);
    this.httpStatus = TRADING_CONTROL_ERROR_HTTP_STATUS[code];
  }
}
