import { CONFIDENCE_LEVELS } from '../policy/confidenceLevels';
import { isoTimestampSchema } from '../policy/auditFields';
import { isDecimalString } from '../policy/decimalString';
import {
  clientOrderIdSchema,
  exchangeOrderStatusSchema,
  orderShapeProblem,
  orderTypeSchema,
  sideSchema,
  type OrderShape,
} from './eventFields';
import { EXECUTION_REJECT_CODES } from './proposalEvents';
import { UNKNOWN_OUTCOME_CLASSES } from './submissionEvents';
import { isExecutionEventType, type ExecutionEvent, type ExecutionEventType } from './executionEvents';
import {
  CURRENT_EXECUTION_SCHEMA_VERSION,
  EXECUTION_UPCASTERS,
  upcastEventData,
  upcastExecutionEvent,
} from './upcastExecutionEvent';

/*
 * A hand-written twin of the execution events' zod schemas, for the hot path of the projections: a
 * rebuild reads every event of the store, and zod costs several microseconds per event (about a
 * third of a rebuild's fold). It accepts exactly what the schemas accept (strict objects, the same
 * types, lengths, patterns, enums and cross-field rules); a property test holds the two to that on
 * generated and mutated events, and `fastExecutionEvent` falls back to zod whenever this says no, so
 * zod always has the last word on a refusal and its message. The schemas stay the definition.
 */

type Check = (value: unknown) => boolean;

/** The patterns zod itself tests (a string format's own RegExp), so both read the same definition. */
function zodPattern(schema: unknown, what: string): RegExp {
  const pattern = (schema as { _zod?: { pattern?: unknown } })._zod?.pattern;
  if (!(pattern instanceof RegExp)) throw new Error(`zod ${what} schema without a pattern`);
  return pattern;
}

const ISO_TIMESTAMP = zodPattern(isoTimestampSchema, 'timestamp');
const UUID = zodPattern(clientOrderIdSchema, 'uuid');
/* The same patterns as userIdSchema, marketIdSchema, requestHashSchema and the currency fields. */
const USER_ID = /^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,99}$/;
const MARKET = /^[A-Z0-9]{1,16}-[A-Z0-9]{1,16}$/;
const REQUEST_HASH = /^[0-9a-f]{64}$/;
const CURRENCY = /^[A-Z0-9]{1,16}$/;
const NONZERO_DIGIT = /[1-9]/;

const text =
  (min: number, max: number): Check =>
  (value) =>
    typeof value === 'string' && value.length >= min && value.length <= max;
const matching =
  (pattern: RegExp): Check =>
  (value) =>
    typeof value === 'string' && pattern.test(value);
const oneOf = (values: readonly string[]): Check => {
  const allowed = new Set(values);
  return (value) => typeof value === 'string' && allowed.has(value);
};
const integer =
  (min: number, max: number): Check =>
  (value) =>
    typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max;
const nullable =
  (check: Check): Check =>
  (value) =>
    value === null || check(value);
const isBoolean: Check = (value) => typeof value === 'boolean';
const isVersion1: Check = (value) => value === 1;

const timestamp = matching(ISO_TIMESTAMP);
const decimal: Check = (value) => typeof value === 'string' && isDecimalString(value);
/** A decimal string matching the pattern is positive exactly when one of its digits is not 0. */
const positiveDecimal: Check = (value) =>
  typeof value === 'string' && isDecimalString(value) && NONZERO_DIGIT.test(value);
const exchangeOrderId = text(1, 100);
const message = text(0, 2000);
const httpStatus = nullable(integer(100, 599));
const errorCode = nullable(integer(0, 1_000_000));
const note: Check = (value) => text(1, 2000)(value) && (value as string).trim().length > 0;

type Shape = ReadonlyMap<string, Check>;

function shape(fields: Record<string, Check>): Shape {
  return new Map(Object.entries(fields));
}

/** zod's strictObject: a plain object with exactly these keys, each valid. */
function strictProblem(value: unknown, fields: Shape): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not an object';
  const record = value as Record<string, unknown>;
  let present = 0;
  for (const key of Object.keys(record)) {
    if (!fields.has(key)) return `unknown key ${key}`;
    present++;
  }
  if (present !== fields.size) return 'a key is missing';
  for (const [key, check] of fields) {
    if (!check(record[key])) return `${key} is invalid`;
  }
  return null;
}

const GATE_EVIDENCE = shape({
  confidenceLevel: oneOf(CONFIDENCE_LEVELS),
  limitEur: nullable(decimal),
  balanceSeen: decimal,
  balanceCurrency: matching(CURRENCY),
  priceSeen: positiveDecimal,
  notionalEur: decimal,
});
const gateEvidence: Check = (value) => strictProblem(value, GATE_EVIDENCE) === null;

const PROPOSAL = {
  schemaVersion: isVersion1,
  clientOrderId: matching(UUID),
  userId: matching(USER_ID),
  market: matching(MARKET),
  side: oneOf(sideSchema.options),
  orderType: oneOf(orderTypeSchema.options),
  amount: nullable(positiveDecimal),
  amountQuote: nullable(positiveDecimal),
  price: nullable(positiveDecimal),
  expiresAt: timestamp,
  requestHash: matching(REQUEST_HASH),
};
const TOTALS = {
  schemaVersion: isVersion1,
  filledAmount: decimal,
  filledAmountQuote: decimal,
  feePaid: decimal,
  at: timestamp,
};

const SHAPES: Readonly<Record<ExecutionEventType, Shape>> = {
  ExecutionSubmitting: shape({ ...PROPOSAL, gateEvidence, submittingAt: timestamp }),
  ExecutionRejected: shape({
    ...PROPOSAL,
    rejectCode: oneOf(EXECUTION_REJECT_CODES),
    reason: text(1, 2000),
    rejectedAt: timestamp,
  }),
  Submitted: shape({
    schemaVersion: isVersion1,
    exchangeOrderId,
    exchangeStatus: oneOf(exchangeOrderStatusSchema.options),
    via: oneOf(['response', 'reconcile']),
    at: timestamp,
  }),
  SubmissionFailed: shape({
    schemaVersion: isVersion1,
    errorClass: (value) => value === 'HARD',
    httpStatus,
    errorCode,
    message,
    at: timestamp,
  }),
  SubmissionOutcomeUnknown: shape({
    schemaVersion: isVersion1,
    errorClass: oneOf(UNKNOWN_OUTCOME_CLASSES),
    httpStatus,
    errorCode,
    message,
    sentAt: timestamp,
    at: timestamp,
  }),
  ReconcileAttempted: shape({
    schemaVersion: isVersion1,
    attempt: integer(1, 100_000),
    method: oneOf(['get_order', 'list_orders']),
    result: oneOf(['found', 'not_found', 'lookup_error']),
    exchangeOrderId: nullable(exchangeOrderId),
    httpStatus,
    errorCode,
    message: nullable(message),
    windowElapsed: isBoolean,
    at: timestamp,
  }),
  SubmissionRetried: shape({
    schemaVersion: isVersion1,
    attempt: integer(1, 1000),
    evidence: oneOf(['soft_not_executed', 'window_elapsed_not_found']),
    sentAt: timestamp,
    at: timestamp,
  }),
  FillRecorded: shape({
    schemaVersion: isVersion1,
    fillId: text(1, 100),
    amount: positiveDecimal,
    price: positiveDecimal,
    fee: decimal,
    feeCurrency: matching(CURRENCY),
    at: timestamp,
  }),
  Filled: shape(TOTALS),
  Cancelled: shape({ ...TOTALS, reason: text(1, 200) }),
  Expired: shape({ ...TOTALS, reason: text(1, 200) }),
  ExecutionAbandoned: shape({
    schemaVersion: isVersion1,
    reason: oneOf(['proven_not_placed', 'operator_resolved']),
    note,
    operatorId: nullable(text(1, 100)),
    at: timestamp,
  }),
};

/**
 * Why `data` is not a valid current-version event of `type` by the schemas' rules, or `null` when
 * it is. The reason is short (a field name); zod gives the full message.
 */
export function executionEventDataProblem(type: ExecutionEventType, data: unknown): string | null {
  const problem = strictProblem(data, SHAPES[type]);
  if (problem !== null) return problem;
  const record = data as Record<string, unknown>;
  // The schemas' cross-field rules (superRefine / refine).
  if (type === 'ExecutionSubmitting') return orderShapeProblem(record as unknown as OrderShape);
  if (
    type === 'ReconcileAttempted' &&
    (record['result'] === 'found') !== (record['exchangeOrderId'] !== null)
  ) {
    return 'exchangeOrderId is set exactly when the result is found';
  }
  return null;
}

/**
 * `upcastExecutionEvent` with the hand-written check in place of zod: the same upcasting, the same
 * result for a valid event (its data as stored, not a copy). Anything the check refuses goes through
 * zod, which throws InvalidExecutionEvent with its full message (or, should the two ever disagree,
 * accepts it: the schemas are the definition).
 */
export function fastExecutionEvent(type: string, data: unknown): ExecutionEvent {
  if (!isExecutionEventType(type)) return upcastExecutionEvent(type, data);
  const lifted = upcastEventData(
    type,
    data,
    EXECUTION_UPCASTERS[type] ?? {},
    CURRENT_EXECUTION_SCHEMA_VERSION,
  );
  if (executionEventDataProblem(type, lifted) !== null) return upcastExecutionEvent(type, data);
  return { type, data: lifted } as ExecutionEvent;
}
