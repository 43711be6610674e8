import type pg from 'pg';
import type { Config } from '../../../config';
import { isTradingControlEventType, TRADING_CONTROL_STREAM_ID } from '../../../domain/control';
import {
  classifyExchangeError,
  type ExchangeErrorInput,
} from '../../../domain/exchange/classifyExchangeError';
import {
  CURRENT_EXECUTION_SCHEMA_VERSION,
  EXECUTION_EVENT_SCHEMAS,
  EXECUTION_EVENT_TYPES,
  EXECUTION_STREAM_PREFIX,
  EXECUTION_UPCASTERS,
  isExecutionEventType,
} from '../../../domain/execution';
import { isUserPolicyEventType, USER_POLICY_STREAM_PREFIX } from '../../../domain/policy';
import { DEFAULT_RECONCILE_SETTINGS } from '../../../domain/reconcile';
import { check, fail, pass, type PreflightCheck } from './preflightCheck';

/** DESIGN §2: the execution events, every one of which the code must know. */
export const DESIGN_EXECUTION_EVENTS = [
  'ExecutionSubmitting',
  'ExecutionRejected',
  'Submitted',
  'SubmissionFailed',
  'SubmissionOutcomeUnknown',
  'ReconcileAttempted',
  'SubmissionRetried',
  'FillRecorded',
  'Filled',
  'Cancelled',
  'Expired',
  'ExecutionAbandoned',
] as const;

/** DESIGN §3's error classes, by example: what each answer (or non-answer) must be classified as. */
export const DESIGN_ERROR_CLASSES: readonly {
  readonly input: ExchangeErrorInput;
  readonly expected: string;
  readonly what: string;
}[] = [
  { input: { httpStatus: 429, errorCode: 105 }, expected: 'SOFT_NOT_EXECUTED', what: '429/105 rate limited' },
  { input: { httpStatus: 403, errorCode: 302 }, expected: 'SOFT_NOT_EXECUTED', what: '302 timestamp' },
  {
    input: { httpStatus: 403, errorCode: 304 },
    expected: 'SOFT_NOT_EXECUTED',
    what: '304 outside the window',
  },
  { input: { httpStatus: 503, errorCode: 107 }, expected: 'SOFT_NOT_EXECUTED', what: '107 overloaded' },
  {
    input: { httpStatus: 503, errorCode: 108 },
    expected: 'SOFT_NOT_EXECUTED',
    what: '108 not processed in time',
  },
  {
    input: { httpStatus: 500, errorCode: 101 },
    expected: 'UNKNOWN',
    what: '101 may or may not have succeeded',
  },
  { input: { httpStatus: 503, errorCode: 109 }, expected: 'UNKNOWN', what: '109 matching engine timeout' },
  {
    input: { httpStatus: 503, errorCode: 111 },
    expected: 'UNKNOWN',
    what: '111 matching engine unavailable',
  },
  { input: { httpStatus: 500, errorCode: 419 }, expected: 'UNKNOWN', what: '419' },
  { input: { httpStatus: 500, errorCode: 430 }, expected: 'UNKNOWN', what: '430' },
  { input: { transport: 'timeout' }, expected: 'UNKNOWN', what: 'a timeout' },
  { input: { transport: 'reset' }, expected: 'UNKNOWN', what: 'a connection reset' },
  { input: { httpStatus: 502 }, expected: 'UNKNOWN', what: 'a bare 5xx' },
  { input: { transport: 'connection_refused' }, expected: 'SOFT_NOT_EXECUTED', what: 'a refused connection' },
  {
    input: { httpStatus: 400, errorCode: 220 },
    expected: 'ALREADY_EXISTS',
    what: '220 clientOrderId on an open order',
  },
  { input: { httpStatus: 404, errorCode: 240 }, expected: 'NOT_FOUND', what: '240 order not found' },
  { input: { httpStatus: 400, errorCode: 216 }, expected: 'HARD', what: '216 insufficient balance' },
  { input: { httpStatus: 400, errorCode: 205 }, expected: 'HARD', what: '205 invalid parameter' },
  { input: { errorCode: 999_999 }, expected: 'UNKNOWN', what: 'a code never seen' },
];

/** Event types found in the PostgreSQL store, per kind of stream. */
async function storedEventTypes(pool: pg.Pool): Promise<{ streamKind: string; eventType: string }[]> {
  const result = await pool.query<{ kind: string; event_type: string }>(
    `SELECT DISTINCT CASE WHEN starts_with(stream_id, $1) THEN 'execution'
                          WHEN starts_with(stream_id, $2) THEN 'policy'
                          WHEN stream_id = $3 THEN 'control' ELSE 'other' END AS kind, event_type
       FROM events`,
    [EXECUTION_STREAM_PREFIX, USER_POLICY_STREAM_PREFIX, TRADING_CONTROL_STREAM_ID],
  );
  return result.rows.map((row) => ({ streamKind: row.kind, eventType: row.event_type }));
}

export async function codeChecks(config: Config, pool: pg.Pool | undefined): Promise<PreflightCheck[]> {
  return [
    await check('code', 'event types registered', async () => {
      const problems: string[] = [];
      const missing = DESIGN_EXECUTION_EVENTS.filter((type) => !EXECUTION_EVENT_TYPES.includes(type));
      if (missing.length > 0) problems.push(`not registered: ${missing.join(', ')}`);
      for (const type of EXECUTION_EVENT_TYPES) {
        if (!Object.hasOwn(EXECUTION_EVENT_SCHEMAS, type)) problems.push(`${type} has no schema`);
        const chain = EXECUTION_UPCASTERS[type] ?? {};
        for (let version = 1; version < CURRENT_EXECUTION_SCHEMA_VERSION; version++) {
          if (chain[version] === undefined) problems.push(`${type} has no upcaster from version ${version}`);
        }
      }
      let storedNote = '';
      if (pool !== undefined && config.EVENTSTORE_URL === undefined) {
        const stored = await storedEventTypes(pool);
        const unknown = stored.filter(
          ({ streamKind, eventType }) =>
            (streamKind === 'execution' && !isExecutionEventType(eventType)) ||
            (streamKind === 'policy' && !isUserPolicyEventType(eventType)) ||
            (streamKind === 'control' && !isTradingControlEventType(eventType)),
        );
        if (unknown.length > 0) {
          problems.push(
            `the store holds types this code cannot read: ${unknown.map((u) => `${u.eventType} (${u.streamKind})`).join(', ')}`,
          );
        }
        storedNote = `; every type in the store (${stored.length}) is known`;
      }
      return problems.length === 0
        ? pass(
            `${EXECUTION_EVENT_TYPES.length} execution event types with schemas, schema version ${CURRENT_EXECUTION_SCHEMA_VERSION}${storedNote}`,
          )
        : fail(problems.join('; '));
    }),
    await check('code', 'reconcile configured', () => {
      const settings = {
        ...DEFAULT_RECONCILE_SETTINGS,
        accessWindowMs: config.BITVAVO_ACCESS_WINDOW_MS,
        clockSkewMaxMs: config.CLOCK_SKEW_MAX_MS,
      };
      const problems: string[] = [];
      if (settings.maxRetries < 1 || settings.maxRetries > 10)
        problems.push(`maxRetries ${settings.maxRetries} (want 1..10)`);
      if (settings.maxReconcileAttempts < 3)
        problems.push(
          `maxReconcileAttempts ${settings.maxReconcileAttempts} (want ≥ 3: two not-found lookups and a sweep)`,
        );
      if (settings.clockSkewMaxMs < 1_000)
        problems.push(`CLOCK_SKEW_MAX_MS ${settings.clockSkewMaxMs} (want ≥ 1000)`);
      // The stale-SUBMITTING alert (10 min) must leave room for the evidence: the window and two lookups.
      const evidenceMs =
        settings.accessWindowMs +
        settings.clockSkewMaxMs +
        config.RECONCILE_MIN_AGE_MS +
        2 * config.RECONCILE_INTERVAL_MS;
      if (evidenceMs > 5 * 60_000)
        problems.push(`evidence takes ${evidenceMs} ms, too close to the stale-SUBMITTING threshold`);
      const where =
        config.EXCHANGE === 'bitvavo'
          ? `Bitvavo at ${new URL(config.BITVAVO_API_URL ?? 'https://invalid').host}`
          : 'the simulator';
      return problems.length === 0
        ? pass(
            `${where}; window ${settings.accessWindowMs} ms + skew ${settings.clockSkewMaxMs} ms, every ${config.RECONCILE_INTERVAL_MS} ms after ${config.RECONCILE_MIN_AGE_MS} ms, ≤ ${settings.maxRetries} re-sends, ≤ ${settings.maxReconcileAttempts} lookups`,
          )
        : fail(problems.join('; '));
    }),
    await check('code', 'error classes complete', () => {
      const wrong = DESIGN_ERROR_CLASSES.filter(
        (example) => classifyExchangeError(example.input) !== example.expected,
      ).map(
        (example) => `${example.what} → ${classifyExchangeError(example.input)} (want ${example.expected})`,
      );
      return wrong.length === 0
        ? pass(
            `${DESIGN_ERROR_CLASSES.length} answers classified as DESIGN §3 says (HARD, SOFT_NOT_EXECUTED, UNKNOWN, 220, 240)`,
          )
        : fail(wrong.join('; '));
    }),
  ];
}
