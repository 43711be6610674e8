import { z } from 'zod';
import type { Execution, ExecutionLastError } from '../../../domain/execution';
import type { RecordedEvent } from '../../../domain/ports/eventStore';

const decimal = z.string().describe('a decimal as a string, e.g. "0.015"');
const isoTime = z.string().describe('ISO-8601 UTC time');

/**
 * The `execution` object of every answer about an execution. Absent values are null; decimals are
 * strings; `revision` is the stream revision of the latest event as a JSON number (0 for the first
 * event; streams never come near 2^53 events).
 */
export const executionViewSchema = z.object({
  clientOrderId: z.string(),
  userId: z.string(),
  market: z.string(),
  side: z.enum(['buy', 'sell']),
  orderType: z.enum(['market', 'limit']),
  amount: decimal.nullable(),
  amountQuote: decimal.nullable(),
  price: decimal.nullable(),
  status: z.enum([
    'SUBMITTING',
    'REJECTED',
    'SUBMITTED',
    'PARTIALLY_FILLED',
    'FILLED',
    'FAILED',
    'CANCELLED',
    'EXPIRED',
  ]),
  exchangeOrderId: z.string().nullable(),
  reconcileAttempts: z.number().int(),
  filledAmount: decimal,
  filledAmountQuote: decimal,
  feePaid: decimal,
  rejectCode: z.string().nullable(),
  lastError: z
    .string()
    .nullable()
    .describe('the latest send or lookup error, e.g. "send UNKNOWN (http 500, code 101): ..."'),
  submittingAt: isoTime.nullable(),
  updatedAt: isoTime,
  revision: z.number().int(),
});
export type ExecutionView = z.infer<typeof executionViewSchema>;

export const executionEventViewSchema = z.object({
  position: z.string().describe('global position (a 64-bit integer as a string)'),
  revision: z.number().int(),
  type: z.string(),
  data: z.record(z.string(), z.unknown()),
  createdAt: isoTime,
});
export type ExecutionEventView = z.infer<typeof executionEventViewSchema>;

export function formatLastError(error: ExecutionLastError | null): string | null {
  if (error === null) return null;
  const details = [
    error.httpStatus === null ? null : `http ${error.httpStatus}`,
    error.errorCode === null ? null : `code ${error.errorCode}`,
  ].filter((part) => part !== null);
  const head = `${error.source}${error.errorClass === null ? '' : ` ${error.errorClass}`}`;
  return `${head}${details.length === 0 ? '' : ` (${details.join(', ')})`}: ${error.message}`.slice(0, 2000);
}

export function presentExecution(execution: Execution): ExecutionView {
  return {
    clientOrderId: execution.clientOrderId,
    userId: execution.userId,
    market: execution.market,
    side: execution.side,
    orderType: execution.orderType,
    amount: execution.amount,
    amountQuote: execution.amountQuote,
    price: execution.price,
    status: execution.status,
    exchangeOrderId: execution.exchangeOrderId,
    reconcileAttempts: execution.reconcileAttempts,
    filledAmount: execution.filledAmount,
    filledAmountQuote: execution.filledAmountQuote,
    feePaid: execution.feePaid,
    rejectCode: execution.rejectCode,
    lastError: formatLastError(execution.lastError),
    submittingAt: execution.submittingAt,
    updatedAt: execution.updatedAt,
    revision: execution.version - 1,
  };
}

export function presentEvent(event: RecordedEvent): ExecutionEventView {
  return {
    position: event.position.prepare.toString(),
    revision: Number(event.revision),
    type: event.type,
    data: event.data,
    createdAt: event.createdAt.toISOString(),
  };
}
