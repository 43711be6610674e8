import type {
  ExecutionEvent,
  ExecutionEventDataMap,
  ExecutionEventOf,
  ExecutionEventType,
  ExecutionProposal,
  GateEvidence,
} from '../../src/domain/execution';
import type {
  ExchangeFailure,
  ErrorClass,
  ExchangeFill,
  ExchangeOrder,
} from '../../src/domain/ports/exchange';

export const CLIENT_ORDER_ID = '5b6f2a1e-8c3d-4e7f-9a2b-1c3d4e5f6a7b';
export const OTHER_CLIENT_ORDER_ID = '0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b';
export const REQUEST_HASH = 'a'.repeat(64);
export const T0 = '2025-01-01T12:00:00.000Z';
export const T0_MS = Date.parse(T0);

export const isoAt = (offsetMs: number): string => new Date(T0_MS + offsetMs).toISOString();

export const limitProposal: ExecutionProposal = {
  clientOrderId: CLIENT_ORDER_ID,
  userId: 'user-1',
  market: 'BTC-EUR',
  side: 'buy',
  orderType: 'limit',
  amount: '0.001',
  amountQuote: null,
  price: '20000',
  expiresAt: isoAt(60_000),
};

export const gateEvidence: GateEvidence = {
  confidenceLevel: 'TRAINING',
  limitEur: '25.00',
  balanceSeen: '10000',
  balanceCurrency: 'EUR',
  priceSeen: '20000',
  notionalEur: '20',
};

function dataFor<K extends ExecutionEventType>(type: K, at: string): ExecutionEventDataMap[K] {
  const samples: { [T in ExecutionEventType]: ExecutionEventDataMap[T] } = {
    ExecutionSubmitting: {
      schemaVersion: 1,
      ...limitProposal,
      requestHash: REQUEST_HASH,
      gateEvidence,
      submittingAt: at,
    },
    ExecutionRejected: {
      schemaVersion: 1,
      ...limitProposal,
      requestHash: REQUEST_HASH,
      rejectCode: 'KILL_SWITCH',
      reason: 'the kill switch is engaged',
      rejectedAt: at,
    },
    Submitted: { schemaVersion: 1, exchangeOrderId: 'order-1', exchangeStatus: 'new', via: 'response', at },
    SubmissionFailed: {
      schemaVersion: 1,
      errorClass: 'HARD',
      httpStatus: 400,
      errorCode: 216,
      message: 'balance',
      at,
    },
    SubmissionOutcomeUnknown: {
      schemaVersion: 1,
      errorClass: 'UNKNOWN',
      httpStatus: null,
      errorCode: null,
      message: 'timeout',
      sentAt: at,
      at,
    },
    ReconcileAttempted: {
      schemaVersion: 1,
      attempt: 1,
      method: 'get_order',
      result: 'not_found',
      exchangeOrderId: null,
      httpStatus: 404,
      errorCode: 240,
      message: null,
      windowElapsed: false,
      at,
    },
    SubmissionRetried: { schemaVersion: 1, attempt: 1, evidence: 'soft_not_executed', sentAt: at, at },
    FillRecorded: {
      schemaVersion: 1,
      fillId: 'fill-1',
      amount: '0.0004',
      price: '20000',
      fee: '0.02',
      feeCurrency: 'EUR',
      at,
    },
    Filled: { schemaVersion: 1, filledAmount: '0.001', filledAmountQuote: '20', feePaid: '0.05', at },
    Cancelled: {
      schemaVersion: 1,
      filledAmount: '0',
      filledAmountQuote: '0',
      feePaid: '0',
      reason: 'canceled',
      at,
    },
    Expired: {
      schemaVersion: 1,
      filledAmount: '0',
      filledAmountQuote: '0',
      feePaid: '0',
      reason: 'expired',
      at,
    },
    ExecutionAbandoned: {
      schemaVersion: 1,
      reason: 'operator_resolved',
      note: 'checked by hand',
      operatorId: 'ops-1',
      at,
    },
  };
  return samples[type];
}

/** A valid sample event of any type, with overrides of its data. */
export function sampleEvent<K extends ExecutionEventType>(
  type: K,
  overrides: Partial<ExecutionEventDataMap[K]> = {},
  at: string = T0,
): ExecutionEventOf<K> {
  return { type, data: { ...dataFor(type, at), ...overrides } } as unknown as ExecutionEventOf<K>;
}

/** Shortest legal history that reaches each status (NONE: empty). */
export const HISTORY_TO: Readonly<Record<string, readonly ExecutionEvent[]>> = {
  NONE: [],
  SUBMITTING: [sampleEvent('ExecutionSubmitting')],
  REJECTED: [sampleEvent('ExecutionRejected')],
  SUBMITTED: [sampleEvent('ExecutionSubmitting'), sampleEvent('Submitted')],
  PARTIALLY_FILLED: [
    sampleEvent('ExecutionSubmitting'),
    sampleEvent('Submitted'),
    sampleEvent('FillRecorded'),
  ],
  FILLED: [sampleEvent('ExecutionSubmitting'), sampleEvent('Submitted'), sampleEvent('Filled')],
  FAILED: [sampleEvent('ExecutionSubmitting'), sampleEvent('SubmissionFailed')],
  CANCELLED: [sampleEvent('ExecutionSubmitting'), sampleEvent('Submitted'), sampleEvent('Cancelled')],
  EXPIRED: [sampleEvent('ExecutionSubmitting'), sampleEvent('Submitted'), sampleEvent('Expired')],
};

export function exchangeFill(overrides: Partial<ExchangeFill> = {}): ExchangeFill {
  return {
    id: 'fill-1',
    timestampMs: T0_MS + 1000,
    amount: '0.0004',
    price: '20000',
    fee: '0.02',
    feeCurrency: 'EUR',
    settled: true,
    ...overrides,
  };
}

export function exchangeOrder(overrides: Partial<ExchangeOrder> = {}): ExchangeOrder {
  return {
    orderId: 'order-1',
    clientOrderId: CLIENT_ORDER_ID,
    market: 'BTC-EUR',
    side: 'buy',
    orderType: 'limit',
    status: 'new',
    amount: '0.001',
    amountQuote: undefined,
    price: '20000',
    filledAmount: '0',
    filledAmountQuote: '0',
    feePaid: '0',
    feeCurrency: 'EUR',
    fills: [],
    createdMs: T0_MS,
    updatedMs: T0_MS,
    ...overrides,
  };
}

export function exchangeFailure(
  errorClass: ErrorClass,
  overrides: Partial<Omit<ExchangeFailure, 'ok' | 'errorClass'>> = {},
): ExchangeFailure {
  const defaults: Record<ErrorClass, { httpStatus: number | undefined; errorCode: number | undefined }> = {
    HARD: { httpStatus: 400, errorCode: 216 },
    SOFT_NOT_EXECUTED: { httpStatus: 429, errorCode: 105 },
    UNKNOWN: { httpStatus: undefined, errorCode: undefined },
    ALREADY_EXISTS: { httpStatus: 400, errorCode: 220 },
    NOT_FOUND: { httpStatus: 404, errorCode: 240 },
  };
  return { ok: false, errorClass, ...defaults[errorClass], message: `${errorClass} answer`, ...overrides };
}
