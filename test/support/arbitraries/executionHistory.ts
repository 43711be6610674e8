import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import {
  EXECUTION_REJECT_CODES,
  EXECUTION_TRANSITIONS,
  evolveExecution,
  executionEvent,
  initialExecutionState,
  isTerminalStatus,
  type Execution,
  type ExecutionEvent,
  type ExecutionEventType,
  type ExecutionState,
} from '../../../src/domain/execution';

/**
 * Generators of LEGAL execution histories: a random walk over the transition table whose every step
 * also respects the data rules (fills within the amount, fill ids unique, one exchange order id per
 * execution). Reused by the execution, reconcile, invariant and projection tests.
 */
export interface GeneratedHistory {
  readonly clientOrderId: string;
  readonly events: ExecutionEvent[];
  /** The state replay must reach (built step by step with evolveExecution while generating). */
  readonly state: ExecutionState;
}

export interface ExecutionHistoryOptions {
  /** Upper bound on the events of one history (default 24). */
  readonly maxEvents?: number;
  /** Only these event types after the first (e.g. the ones that keep an execution SUBMITTING). */
  readonly onlyTypes?: readonly ExecutionEventType[];
  /** Never start with ExecutionRejected. */
  readonly neverRejected?: boolean;
}

/** The types that keep an execution SUBMITTING: with `onlyTypes`, a history still in flight. */
export const STAYS_SUBMITTING: readonly ExecutionEventType[] = [
  'SubmissionOutcomeUnknown',
  'ReconcileAttempted',
  'SubmissionRetried',
];

const MARKETS = ['BTC-EUR', 'ETH-EUR'] as const;
export const GENERATED_START_MS = Date.parse('2025-03-01T00:00:00.000Z');

const shapeArb = fc.oneof(
  fc.record({
    orderType: fc.constant('limit' as const),
    amount: fc.integer({ min: 1, max: 10_000_000 }).map((units) => new Decimal(units).div(1e6).toFixed()),
    amountQuote: fc.constant(null),
    price: fc.integer({ min: 1, max: 100_000 }).map(String),
  }),
  fc.record({
    orderType: fc.constant('market' as const),
    amount: fc.integer({ min: 1, max: 10_000_000 }).map((units) => new Decimal(units).div(1e6).toFixed()),
    amountQuote: fc.constant(null),
    price: fc.constant(null),
  }),
  fc.record({
    orderType: fc.constant('market' as const),
    amount: fc.constant(null),
    amountQuote: fc.integer({ min: 1, max: 50_000 }).map(String),
    price: fc.constant(null),
  }),
);

const seedArb = (options: ExecutionHistoryOptions) =>
  fc.record({
    clientOrderId: fc.uuid({ version: 4 }),
    user: fc.integer({ min: 1, max: 5 }),
    market: fc.constantFrom(...MARKETS),
    side: fc.constantFrom('buy' as const, 'sell' as const),
    shape: shapeArb,
    startOffsetMs: fc.integer({ min: 0, max: 30 * 24 * 3_600_000 }),
    rejected: options.neverRejected === true ? fc.constant(false) : fc.boolean(),
    choices: fc.array(fc.nat({ max: 1_000_000 }), { maxLength: Math.max(0, (options.maxEvents ?? 24) - 1) }),
  });

type Seed = ReturnType<typeof seedArb> extends fc.Arbitrary<infer T> ? T : never;

const iso = (ms: number) => new Date(ms).toISOString();

function remainingAmount(state: Execution): Decimal | null {
  return state.amount === null ? null : new Decimal(state.amount).minus(state.filledAmount);
}

function feasibleTypes(state: Execution, options: ExecutionHistoryOptions): ExecutionEventType[] {
  const allowed = Object.keys(EXECUTION_TRANSITIONS[state.status]) as ExecutionEventType[];
  return allowed.filter((type) => {
    if (options.onlyTypes !== undefined && !options.onlyTypes.includes(type)) return false;
    if (type === 'FillRecorded') {
      const remaining = remainingAmount(state);
      return remaining === null || remaining.gt(0);
    }
    if (type === 'SubmissionRetried') return state.retries < 5;
    // Decisions refuse a second unknown outcome for one send; keep generated histories that realistic.
    if (type === 'SubmissionOutcomeUnknown') return state.lastSendOutcome === null;
    return true;
  });
}

function firstEvent(seed: Seed, atMs: number): ExecutionEvent {
  const proposal = {
    schemaVersion: 1 as const,
    clientOrderId: seed.clientOrderId,
    userId: `user-${seed.user}`,
    market: seed.market,
    side: seed.side,
    ...seed.shape,
    expiresAt: iso(atMs + 60_000),
    requestHash: seed.clientOrderId.replace(/-/g, '').padEnd(64, '0'),
  };
  if (seed.rejected) {
    const rejectCode = EXECUTION_REJECT_CODES[seed.user % EXECUTION_REJECT_CODES.length] ?? 'KILL_SWITCH';
    return executionEvent('ExecutionRejected', {
      ...proposal,
      rejectCode,
      reason: 'refused',
      rejectedAt: iso(atMs),
    });
  }
  const gateEvidence = {
    confidenceLevel: 'TRAINING' as const,
    limitEur: '25.00',
    balanceSeen: '10000',
    balanceCurrency: seed.side === 'buy' ? 'EUR' : (seed.market.split('-')[0] ?? 'BTC'),
    priceSeen: '20000',
    notionalEur: '20',
  };
  return executionEvent('ExecutionSubmitting', { ...proposal, gateEvidence, submittingAt: iso(atMs) });
}

export function exchangeOrderIdFor(clientOrderId: string): string {
  return `order-${clientOrderId}`;
}

function nextEvent(type: ExecutionEventType, state: Execution, choice: number, atMs: number): ExecutionEvent {
  const at = iso(atMs);
  const orderId = exchangeOrderIdFor(state.clientOrderId);
  const totals = {
    schemaVersion: 1 as const,
    filledAmountQuote: state.filledAmountQuote,
    feePaid: state.feePaid,
    at,
  };
  switch (type) {
    case 'Submitted':
      return executionEvent('Submitted', {
        schemaVersion: 1,
        exchangeOrderId: orderId,
        exchangeStatus: choice % 2 === 0 ? 'new' : 'partiallyFilled',
        via: choice % 3 === 0 ? 'reconcile' : 'response',
        at,
      });
    case 'SubmissionFailed':
      return executionEvent('SubmissionFailed', {
        schemaVersion: 1,
        errorClass: 'HARD',
        httpStatus: 400,
        errorCode: 216,
        message: 'insufficient balance',
        at,
      });
    case 'SubmissionOutcomeUnknown': {
      const errorClass =
        (['UNKNOWN', 'SOFT_NOT_EXECUTED', 'ALREADY_EXISTS'] as const)[choice % 3] ?? 'UNKNOWN';
      return executionEvent('SubmissionOutcomeUnknown', {
        schemaVersion: 1,
        errorClass,
        httpStatus: errorClass === 'UNKNOWN' ? null : 400,
        errorCode: errorClass === 'ALREADY_EXISTS' ? 220 : null,
        message: errorClass,
        sentAt: iso(atMs - 500),
        at,
      });
    }
    case 'ReconcileAttempted': {
      const result = (['not_found', 'lookup_error', 'found'] as const)[choice % 3] ?? 'not_found';
      return executionEvent('ReconcileAttempted', {
        schemaVersion: 1,
        attempt: state.reconcileAttempts + 1,
        method: choice % 5 === 0 ? 'list_orders' : 'get_order',
        result,
        exchangeOrderId: result === 'found' ? orderId : null,
        httpStatus: result === 'not_found' ? 404 : null,
        errorCode: result === 'not_found' ? 240 : null,
        message: result === 'lookup_error' ? 'connection reset' : null,
        windowElapsed: choice % 2 === 0,
        at,
      });
    }
    case 'SubmissionRetried':
      return executionEvent('SubmissionRetried', {
        schemaVersion: 1,
        attempt: state.retries + 1,
        evidence: choice % 2 === 0 ? 'soft_not_executed' : 'window_elapsed_not_found',
        sentAt: at,
        at,
      });
    case 'FillRecorded': {
      const remaining = remainingAmount(state);
      const share = new Decimal((choice % 10) + 1).div(10);
      let amount = remaining === null ? new Decimal((choice % 1000) + 1).div(1e4) : remaining.times(share);
      amount = amount.toDecimalPlaces(8, Decimal.ROUND_DOWN);
      if (amount.lte(0) && remaining !== null) amount = remaining;
      return executionEvent('FillRecorded', {
        schemaVersion: 1,
        fillId: `${state.clientOrderId}-fill-${state.fillIds.length + 1}`,
        amount: amount.toFixed(),
        price: state.price ?? String(20_000 + (choice % 100)),
        fee: new Decimal(choice % 100).div(100).toFixed(),
        feeCurrency: 'EUR',
        at,
      });
    }
    case 'Filled':
      return executionEvent('Filled', { ...totals, filledAmount: state.amount ?? state.filledAmount });
    case 'Cancelled':
      return executionEvent('Cancelled', { ...totals, filledAmount: state.filledAmount, reason: 'canceled' });
    case 'Expired':
      return executionEvent('Expired', { ...totals, filledAmount: state.filledAmount, reason: 'expired' });
    case 'ExecutionAbandoned':
      return executionEvent('ExecutionAbandoned', {
        schemaVersion: 1,
        reason: choice % 2 === 0 ? 'proven_not_placed' : 'operator_resolved',
        note: 'resolved',
        operatorId: choice % 2 === 0 ? null : 'ops-1',
        at,
      });
    case 'ExecutionSubmitting':
    case 'ExecutionRejected':
      throw new Error(`${type} only starts a history`);
  }
}

export function buildExecutionHistory(seed: Seed, options: ExecutionHistoryOptions = {}): GeneratedHistory {
  let atMs = GENERATED_START_MS + seed.startOffsetMs;
  const events: ExecutionEvent[] = [firstEvent(seed, atMs)];
  let state: ExecutionState = evolveExecution(initialExecutionState(), events[0] as ExecutionEvent);
  for (const choice of seed.choices) {
    if (state.status === 'NONE' || isTerminalStatus(state.status)) break;
    const types = feasibleTypes(state, options);
    const type = types[choice % Math.max(1, types.length)];
    if (type === undefined) break;
    atMs += 1000 + (choice % 30_000);
    const event = nextEvent(type, state, Math.floor(choice / 7), atMs);
    state = evolveExecution(state, event);
    events.push(event);
  }
  return { clientOrderId: seed.clientOrderId, events, state };
}

export function executionHistoryArb(options: ExecutionHistoryOptions = {}): fc.Arbitrary<GeneratedHistory> {
  return seedArb(options).map((seed) => buildExecutionHistory(seed, options));
}

/** Several executions with distinct clientOrderIds (and so distinct exchange order ids). */
export function executionHistoriesArb(
  options: ExecutionHistoryOptions & { readonly maxExecutions?: number } = {},
): fc.Arbitrary<GeneratedHistory[]> {
  return fc
    .uniqueArray(seedArb(options), {
      maxLength: options.maxExecutions ?? 8,
      selector: (seed) => seed.clientOrderId,
    })
    .map((seeds) => seeds.map((seed) => buildExecutionHistory(seed, options)));
}
