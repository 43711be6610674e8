-- Daily execution statistics (the stats job runs refresh_execution_stats_24h() at 00:15 UTC).
--
-- total_executions counts the executions that passed the gates in the window; gate refusals are
-- counted in `rejected`, outside the total. So soft_failures / total_executions (the checklist's
-- formula) is exactly DESIGN §4's recovery rate: executions that needed reconciliation / executions
-- past the gates.
CREATE TABLE execution_stats_24h (
  id                      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  window_start            timestamptz NOT NULL,
  window_end              timestamptz NOT NULL,
  total_executions        bigint NOT NULL CHECK (total_executions > 0),
  -- Reached the exchange (acknowledged).
  submitted               bigint NOT NULL,
  filled                  bigint NOT NULL,
  rejected                bigint NOT NULL,
  -- SubmissionFailed: the exchange refused the order for good.
  hard_failures           bigint NOT NULL,
  -- An unknown outcome (timeout, 5xx, SOFT, 220) or a lookup: needed reconciliation.
  soft_failures           bigint NOT NULL,
  -- Of the soft failures, those resolved (no longer SUBMITTING).
  reconciled              bigint NOT NULL,
  recovery_rate_pct       numeric(6, 2) NOT NULL,
  p50_submit_latency_ms   numeric,
  p95_submit_latency_ms   numeric,
  created_at              timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX execution_stats_24h_created_idx ON execution_stats_24h (created_at DESC);

-- The last 24 hours' figures (executions by the time of their first event), computed on demand
-- (GET /v1/ops/stats) without storing a row.
CREATE FUNCTION execution_stats_24h_now()
RETURNS TABLE (window_start timestamptz, window_end timestamptz, total_executions bigint,
               submitted bigint, filled bigint, rejected bigint, hard_failures bigint,
               soft_failures bigint, reconciled bigint, recovery_rate_pct numeric,
               p50_submit_latency_ms numeric, p95_submit_latency_ms numeric, created_at timestamptz)
LANGUAGE sql STABLE AS $$
  WITH win AS (
    SELECT now() - interval '24 hours' AS window_start, now() AS window_end
  ), recent AS (
    SELECT t.* FROM trade_executions t, win
    WHERE t.created_at > win.window_start AND t.created_at <= win.window_end
  ), figures AS (
    SELECT
      win.window_start,
      win.window_end,
      count(*) FILTER (WHERE r.status <> 'REJECTED') AS total_executions,
      count(*) FILTER (WHERE r.submitted_at IS NOT NULL) AS submitted,
      count(*) FILTER (WHERE r.status = 'FILLED') AS filled,
      count(*) FILTER (WHERE r.status = 'REJECTED') AS rejected,
      count(*) FILTER (WHERE r.status = 'FAILED' AND r.end_reason IS NULL) AS hard_failures,
      count(*) FILTER (WHERE r.needed_reconciliation) AS soft_failures,
      count(*) FILTER (WHERE r.needed_reconciliation AND r.status <> 'SUBMITTING') AS reconciled,
      round(extract(epoch FROM percentile_cont(0.5) WITHIN GROUP (ORDER BY r.submitted_at - r.submitting_at)) * 1000, 3)
        AS p50_submit_latency_ms,
      round(extract(epoch FROM percentile_cont(0.95) WITHIN GROUP (ORDER BY r.submitted_at - r.submitting_at)) * 1000, 3)
        AS p95_submit_latency_ms,
      now() AS created_at
    FROM win LEFT JOIN recent r ON true
    GROUP BY win.window_start, win.window_end
  )
  SELECT f.window_start, f.window_end, f.total_executions, f.submitted, f.filled, f.rejected,
    f.hard_failures, f.soft_failures, f.reconciled,
    CASE WHEN f.total_executions = 0 THEN 0
         ELSE round(f.soft_failures::numeric / f.total_executions * 100, 2) END,
    f.p50_submit_latency_ms, f.p95_submit_latency_ms, f.created_at
  FROM figures f
$$;

-- Stores one row of execution_stats_24h_now(), unless there were no executions past the gates (a row
-- with total 0 would make the checklist's ratio divide by zero). Returns the figures either way;
-- `stored` says whether a row was written. Built on the function above, so both always agree.
CREATE FUNCTION refresh_execution_stats_24h()
RETURNS TABLE (window_start timestamptz, window_end timestamptz, total_executions bigint,
               submitted bigint, filled bigint, rejected bigint, hard_failures bigint,
               soft_failures bigint, reconciled bigint, recovery_rate_pct numeric,
               p50_submit_latency_ms numeric, p95_submit_latency_ms numeric, created_at timestamptz,
               stored boolean)
LANGUAGE sql VOLATILE AS $$
  WITH rated AS (
    SELECT * FROM execution_stats_24h_now()
  ), stored AS (
    INSERT INTO execution_stats_24h (window_start, window_end, total_executions, submitted, filled, rejected,
      hard_failures, soft_failures, reconciled, recovery_rate_pct, p50_submit_latency_ms,
      p95_submit_latency_ms, created_at)
    SELECT r.window_start, r.window_end, r.total_executions, r.submitted, r.filled, r.rejected,
      r.hard_failures, r.soft_failures, r.reconciled, r.recovery_rate_pct, r.p50_submit_latency_ms,
      r.p95_submit_latency_ms, r.created_at
    FROM rated r WHERE r.total_executions > 0
    RETURNING id
  )
  SELECT r.window_start, r.window_end, r.total_executions, r.submitted, r.filled, r.rejected,
    r.hard_failures, r.soft_failures, r.reconciled, r.recovery_rate_pct, r.p50_submit_latency_ms,
    r.p95_submit_latency_ms, r.created_at, EXISTS (SELECT 1 FROM stored)
  FROM rated r
$$;
