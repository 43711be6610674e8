import type { ConfidenceLevel } from '../policy/confidenceLevels';

/** The gates in the order they run (DESIGN §4); the first that refuses decides the code. */
export const GATE_CODES = [
  'KILL_SWITCH',
  'USER_TRADING_DISABLED',
  'MARKET_NOT_ALLOWED',
  'PROPOSAL_EXPIRED',
  'ORDER_LIMIT_EXCEEDED',
  'INSUFFICIENT_BALANCE',
  'MARKET_RULES',
] as const;
export type GateCode = (typeof GATE_CODES)[number];

/** What the gates saw when they let an order through; recorded in `ExecutionSubmitting`. */
export interface GateEvidence {
  readonly confidenceLevel: ConfidenceLevel;
  /** The fixed per-order limit applied; `null` at MATURE without override (capped by balance). */
  readonly limitEur: string | null;
  /** Available balance of the asset the order spends: quote (EUR) for a buy, base for a sell. */
  readonly balanceSeen: string;
  /** The symbol of `balanceSeen`. */
  readonly balanceCurrency: string;
  /** The ticker price seen. */
  readonly priceSeen: string;
  /**
   * EUR value of the order: amountQuote, or amount × (limit price | ticker). Exact unless that takes
   * more than 32 characters; then rounded up to 8 decimals (never understating what was let through).
   */
  readonly notionalEur: string;
}

export type GateResult =
  | { readonly ok: true; readonly evidence: GateEvidence }
  | { readonly ok: false; readonly code: GateCode; readonly reason: string };

/**
 * The caller handed the gates something no validated flow produces (an unvalidated proposal, a
 * ticker or balance that is not a decimal). A bug, so a 500; nothing is sent.
 */
export class InvalidGateInput extends Error {
  override readonly name = 'InvalidGateInput';
  readonly code = 'INVALID_GATE_INPUT';
  readonly httpStatus = 500;
}
