export const EXECUTION_STATUSES = [
  'SUBMITTING',
  'REJECTED',
  'SUBMITTED',
  'PARTIALLY_FILLED',
  'FILLED',
  'FAILED',
  'CANCELLED',
  'EXPIRED',
] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

/** The status of an execution whose stream has no events yet. */
export const NO_EXECUTION = 'NONE';
export type ExecutionStatusOrNone = ExecutionStatus | typeof NO_EXECUTION;

export const TERMINAL_STATUSES: readonly ExecutionStatus[] = [
  'REJECTED',
  'FAILED',
  'FILLED',
  'CANCELLED',
  'EXPIRED',
];

export function isTerminalStatus(status: ExecutionStatusOrNone): boolean {
  return (TERMINAL_STATUSES as readonly string[]).includes(status);
}

/** Statuses in which an order exists on the exchange, so an exchange order id must be known. */
export const ON_EXCHANGE_STATUSES: readonly ExecutionStatus[] = ['SUBMITTED', 'PARTIALLY_FILLED', 'FILLED'];
