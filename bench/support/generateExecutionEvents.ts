import type pg from 'pg';

/**
 * Bulk-loads realistic execution histories straight into the PostgreSQL store's `events` table, one
 * INSERT ... SELECT generate_series per chunk (no client round trip per event). Every event is valid
 * per the domain's zod schemas (the rebuild validates each one, so an invalid one would fail the run).
 *
 * Mix per 20 executions (about 4 events each): 14 filled (1 or 2 fills), 2 rejected by a gate,
 * 1 unknown outcome found by reconcile then filled, 1 hard failure, 1 cancelled after a partial fill,
 * 1 still SUBMITTING after two lookups. Executions start 100 ms apart and their events are seconds
 * apart, so the streams interleave in the global order as they do in production.
 */
export const EVENTS_PER_EXECUTION_ESTIMATE = 4.05;

const GENERATE_SQL = `
WITH executions AS (
  SELECT i,
         md5('bench-' || i) AS h,
         md5('hash-' || i) || md5('hash2-' || i) AS request_hash,
         timestamptz '2025-01-01 00:00:00+00' + i * interval '100 milliseconds' AS t0,
         i % 20 AS kind,
         'user-' || (i % 50) AS user_id,
         CASE WHEN i % 3 = 0 THEN 'ETH-EUR' ELSE 'BTC-EUR' END AS market
  FROM generate_series($1::bigint, $2::bigint - 1) AS i
), ids AS (
  SELECT e.*,
         substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-4' || substr(h, 14, 3) || '-8' || substr(h, 18, 3) || '-' || substr(h, 21, 12) AS coid
  FROM executions e
), shaped AS (
  SELECT x.*,
         jsonb_build_object('schemaVersion', 1, 'clientOrderId', coid, 'userId', user_id, 'market', market,
           'side', CASE WHEN i % 2 = 0 THEN 'buy' ELSE 'sell' END, 'orderType', 'limit', 'amount', '0.001',
           'amountQuote', null, 'price', '20000', 'expiresAt', iso(t0 + interval '1 minute'),
           'requestHash', request_hash) AS proposal,
         'order-' || coid AS order_id
  FROM ids x
), timeline AS (
  SELECT s.*, steps.*
  FROM shaped s
  CROSS JOIN LATERAL (
    SELECT * FROM (VALUES
      -- filled: submitting, submitted, 1 or 2 fills, filled
      (0, 'ExecutionSubmitting', s.kind < 14),
      (1, 'Submitted', s.kind < 14),
      (2, 'FillRecorded', s.kind < 14),
      (3, 'FillRecorded2', s.kind < 14 AND s.i % 2 = 0),
      (4, 'Filled', s.kind < 14),
      -- rejected
      (0, 'ExecutionRejected', s.kind IN (14, 15)),
      -- unknown outcome, found by reconcile, filled
      (0, 'ExecutionSubmitting', s.kind = 16),
      (1, 'SubmissionOutcomeUnknown', s.kind = 16),
      (2, 'ReconcileFound', s.kind = 16),
      (3, 'Submitted', s.kind = 16),
      (4, 'Filled', s.kind = 16),
      -- hard failure
      (0, 'ExecutionSubmitting', s.kind = 17),
      (1, 'SubmissionFailed', s.kind = 17),
      -- cancelled after a partial fill
      (0, 'ExecutionSubmitting', s.kind = 18),
      (1, 'Submitted', s.kind = 18),
      (2, 'FillRecorded', s.kind = 18),
      (3, 'Cancelled', s.kind = 18),
      -- still submitting after two lookups
      (0, 'ExecutionSubmitting', s.kind = 19),
      (1, 'SubmissionOutcomeUnknown', s.kind = 19),
      (2, 'ReconcileNotFound', s.kind = 19),
      (3, 'ReconcileNotFound2', s.kind = 19)
    ) AS v(step, what, included)
    WHERE v.included
  ) AS steps
), events_out AS (
  SELECT t.*,
         t.t0 + t.step * interval '1.5 seconds' AS at_ts,
         row_number() OVER (PARTITION BY t.i ORDER BY t.step) - 1 AS revision
  FROM timeline t
)
INSERT INTO events (stream_id, stream_revision, event_id, event_type, data, metadata, created_at)
SELECT 'execution-' || coid, revision, gen_random_uuid(),
       CASE what WHEN 'FillRecorded2' THEN 'FillRecorded' WHEN 'ReconcileFound' THEN 'ReconcileAttempted'
                 WHEN 'ReconcileNotFound' THEN 'ReconcileAttempted' WHEN 'ReconcileNotFound2' THEN 'ReconcileAttempted'
                 ELSE what END,
       CASE what
         WHEN 'ExecutionSubmitting' THEN proposal || jsonb_build_object('gateEvidence', jsonb_build_object(
             'confidenceLevel', 'TRAINING', 'limitEur', '25.00', 'balanceSeen', '10000',
             'balanceCurrency', CASE WHEN i % 2 = 0 THEN 'EUR' ELSE split_part(market, '-', 1) END,
             'priceSeen', '20000', 'notionalEur', '20'), 'submittingAt', iso(at_ts))
         WHEN 'ExecutionRejected' THEN proposal || jsonb_build_object('rejectCode', 'KILL_SWITCH',
             'reason', 'the kill switch is engaged', 'rejectedAt', iso(at_ts))
         WHEN 'Submitted' THEN jsonb_build_object('schemaVersion', 1, 'exchangeOrderId', order_id,
             'exchangeStatus', 'new', 'via', CASE WHEN kind = 16 THEN 'reconcile' ELSE 'response' END, 'at', iso(at_ts))
         WHEN 'FillRecorded' THEN jsonb_build_object('schemaVersion', 1, 'fillId', order_id || '-f1',
             'amount', CASE WHEN kind < 14 AND i % 2 = 0 THEN '0.0005' WHEN kind = 18 THEN '0.0004' ELSE '0.001' END,
             'price', '20000', 'fee', '0.01', 'feeCurrency', 'EUR', 'at', iso(at_ts))
         WHEN 'FillRecorded2' THEN jsonb_build_object('schemaVersion', 1, 'fillId', order_id || '-f2',
             'amount', '0.0005', 'price', '20000', 'fee', '0.01', 'feeCurrency', 'EUR', 'at', iso(at_ts))
         WHEN 'Filled' THEN jsonb_build_object('schemaVersion', 1, 'filledAmount', '0.001',
             'filledAmountQuote', '20', 'feePaid', '0.02', 'at', iso(at_ts))
         WHEN 'Cancelled' THEN jsonb_build_object('schemaVersion', 1, 'filledAmount', '0.0004',
             'filledAmountQuote', '8', 'feePaid', '0.01', 'reason', 'canceled', 'at', iso(at_ts))
         WHEN 'SubmissionFailed' THEN jsonb_build_object('schemaVersion', 1, 'errorClass', 'HARD',
             'httpStatus', 400, 'errorCode', 216, 'message', 'insufficient balance', 'at', iso(at_ts))
         WHEN 'SubmissionOutcomeUnknown' THEN jsonb_build_object('schemaVersion', 1, 'errorClass', 'UNKNOWN',
             'httpStatus', null, 'errorCode', null, 'message', 'timeout', 'sentAt', iso(at_ts - interval '1 second'),
             'at', iso(at_ts))
         WHEN 'ReconcileFound' THEN jsonb_build_object('schemaVersion', 1, 'attempt', 1, 'method', 'get_order',
             'result', 'found', 'exchangeOrderId', order_id, 'httpStatus', 200, 'errorCode', null, 'message', null,
             'windowElapsed', true, 'at', iso(at_ts))
         ELSE jsonb_build_object('schemaVersion', 1, 'attempt', CASE what WHEN 'ReconcileNotFound' THEN 1 ELSE 2 END,
             'method', 'get_order', 'result', 'not_found', 'exchangeOrderId', null, 'httpStatus', 404,
             'errorCode', 240, 'message', null, 'windowElapsed', true, 'at', iso(at_ts))
       END,
       '{}'::jsonb,
       at_ts
FROM events_out
ORDER BY at_ts, i`;

const ISO_FUNCTION = `CREATE OR REPLACE FUNCTION pg_temp.iso(ts timestamptz) RETURNS text LANGUAGE sql IMMUTABLE AS
  $$ SELECT to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') $$`;

/** Appends at least `events` events (whole executions), in chunks; returns the number written. */
export async function generateExecutionEvents(
  pool: pg.Pool,
  events: number,
  onChunk?: (written: number) => void,
): Promise<number> {
  const executions = Math.max(1, Math.ceil(events / EVENTS_PER_EXECUTION_ESTIMATE));
  const chunk = 20_000;
  const client = await pool.connect();
  let written = 0;
  try {
    await client.query(ISO_FUNCTION);
    const sql = GENERATE_SQL.replaceAll('iso(', 'pg_temp.iso(');
    for (let from = 0; from < executions; from += chunk) {
      const result = await client.query(sql, [from, Math.min(executions, from + chunk)]);
      written += result.rowCount ?? 0;
      onChunk?.(written);
    }
  } finally {
    client.release();
  }
  return written;
}
