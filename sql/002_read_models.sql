-- Read models (DESIGN §5), fed from the event stream by src/projections/. Every row here can be
-- rebuilt from the streams (`ledger rebuild`) and checked against them (`ledger verify`).
--
-- Times are the EVENTS' times (when it happened), never the projection's clock, so that a replay or
-- a rebuild gives the same rows and the stale-SUBMITTING query means the same thing after a rebuild.
-- Money and quantities are `numeric` (exact), as in the events (decimal strings).

-- Where each projection has got to in the global order: the pair (commit, prepare) of the last event
-- applied, written in the same transaction as the read-model rows it covers. (-1, -1): nothing yet.
CREATE TABLE projection_checkpoints (
  name              text PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 100),
  commit_position   numeric(20, 0) NOT NULL CHECK (commit_position >= -1),
  prepare_position  numeric(20, 0) NOT NULL CHECK (prepare_position >= -1),
  events_applied    bigint NOT NULL DEFAULT 0,
  -- The time of the last event applied (its store time), for lag; NULL before the first one.
  last_event_at     timestamptz,
  updated_at        timestamptz NOT NULL DEFAULT now()
);

-- One row per execution (stream `execution-<clientOrderId>`), folded with the domain's own
-- evolveExecution: the row is a column-by-column image of the domain state.
CREATE TABLE trade_executions (
  client_order_id        text NOT NULL,
  user_id                text NOT NULL,
  market                 text NOT NULL,
  side                   text NOT NULL CHECK (side IN ('buy', 'sell')),
  order_type             text NOT NULL CHECK (order_type IN ('market', 'limit')),
  amount                 numeric,
  amount_quote           numeric,
  price                  numeric,
  status                 text NOT NULL CHECK (status IN ('SUBMITTING', 'REJECTED', 'SUBMITTED',
                           'PARTIALLY_FILLED', 'FILLED', 'FAILED', 'CANCELLED', 'EXPIRED')),
  bitvavo_order_id       text,
  exchange_status        text,
  reconcile_attempts     integer NOT NULL DEFAULT 0,
  retries                integer NOT NULL DEFAULT 0,
  -- An unknown outcome or a lookup happened: the recovery-rate numerator (DESIGN §4).
  needed_reconciliation  boolean NOT NULL DEFAULT false,
  filled_amount          numeric NOT NULL DEFAULT 0,
  filled_amount_quote    numeric NOT NULL DEFAULT 0,
  fee_paid               numeric NOT NULL DEFAULT 0,
  fee_currency           text,
  fill_count             integer NOT NULL DEFAULT 0,
  reject_code            text,
  reject_reason          text,
  -- The last error's message, and the whole of it (source, class, HTTP status, code, time).
  last_error             text,
  last_error_detail      jsonb,
  gate_evidence          jsonb,
  request_hash           text NOT NULL,
  expires_at             timestamptz NOT NULL,
  submitting_at          timestamptz,
  submitted_at           timestamptz,
  last_sent_at           timestamptz,
  filled_at              timestamptz,
  -- When it reached a terminal status, and why (Cancelled / Expired / abandoned), if said.
  ended_at               timestamptz,
  end_reason             text,
  abandon_note           text,
  abandoned_by           text,
  -- The time of the first event (submitting or rejected) and of the latest one.
  created_at             timestamptz NOT NULL,
  updated_at             timestamptz NOT NULL,
  -- The stream revision and the global position (prepare) of the last event folded into this row.
  stream_revision        bigint NOT NULL CHECK (stream_revision >= 0),
  global_position        numeric(20, 0) NOT NULL,
  CONSTRAINT trade_executions_client_order_id_key UNIQUE (client_order_id)
);

CREATE INDEX trade_executions_status_updated_idx ON trade_executions (status, updated_at);
CREATE INDEX trade_executions_user_created_idx ON trade_executions (user_id, created_at DESC, client_order_id DESC);
CREATE INDEX trade_executions_created_idx ON trade_executions (created_at DESC, client_order_id DESC);
CREATE INDEX trade_executions_bitvavo_order_idx ON trade_executions (bitvavo_order_id)
  WHERE bitvavo_order_id IS NOT NULL;

-- The audit log: every execution event, as recorded. `created_at` is the event's own time (when it
-- happened), `recorded_at` the store's.
CREATE TABLE execution_events (
  execution_id     text NOT NULL,
  stream_revision  bigint NOT NULL CHECK (stream_revision >= 0),
  event_id         uuid NOT NULL,
  commit_position  numeric(20, 0) NOT NULL,
  global_position  numeric(20, 0) NOT NULL,
  event_type       text NOT NULL,
  data             jsonb NOT NULL,
  metadata         jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at       timestamptz NOT NULL,
  recorded_at      timestamptz NOT NULL,
  CONSTRAINT execution_events_pkey PRIMARY KEY (execution_id, stream_revision)
);

CREATE INDEX execution_events_created_idx ON execution_events (created_at);
CREATE INDEX execution_events_position_idx ON execution_events (commit_position, global_position);

-- Per user, over the user's whole history: what promotion needs (DESIGN §4). Kept by the executions
-- projection from the change each event makes to one execution's contribution.
CREATE TABLE user_execution_stats (
  user_id                text NOT NULL,
  executions_total       bigint NOT NULL DEFAULT 0,
  -- Executions that passed every gate (ExecutionSubmitting): the denominator of both rates.
  executions_past_gates  bigint NOT NULL DEFAULT 0,
  -- Executions that reached the exchange (acknowledged: Submitted).
  successful             bigint NOT NULL DEFAULT 0,
  -- Executions that needed reconciliation (an unknown outcome or a lookup).
  reconciled             bigint NOT NULL DEFAULT 0,
  rejected               bigint NOT NULL DEFAULT 0,
  filled                 bigint NOT NULL DEFAULT 0,
  failed                 bigint NOT NULL DEFAULT 0,
  in_flight              bigint NOT NULL DEFAULT 0,
  -- Fractions rounded down to 6 places, as the domain's computePromotionStats writes them.
  success_rate           numeric GENERATED ALWAYS AS (
    CASE WHEN executions_past_gates = 0 THEN 0 ELSE trunc(successful::numeric / executions_past_gates, 6) END
  ) STORED,
  recovery_rate          numeric GENERATED ALWAYS AS (
    CASE WHEN executions_past_gates = 0 THEN 0 ELSE trunc(reconciled::numeric / executions_past_gates, 6) END
  ) STORED,
  updated_at             timestamptz NOT NULL,
  CONSTRAINT user_execution_stats_pkey PRIMARY KEY (user_id),
  CONSTRAINT user_execution_stats_counts CHECK (
    successful <= executions_past_gates AND reconciled <= executions_past_gates
    AND executions_past_gates + rejected = executions_total)
);

-- One row per user with a policy stream (`user-policy-<userId>`), folded with evolveUserPolicy.
CREATE TABLE user_policies (
  user_id               text NOT NULL,
  trading_enabled       boolean NOT NULL,
  confidence_level      text NOT NULL CHECK (confidence_level IN ('TRAINING', 'VALIDATED', 'PRODUCTION', 'MATURE')),
  -- The operator's override (it only ever lowers the level's limit), NULL when none.
  order_limit_eur       numeric,
  -- The per-order limit that applies now; NULL = MATURE without override (capped by the balance).
  effective_limit_eur   numeric,
  pending_promotion_to  text,
  pending_promotion     jsonb,
  -- The whole domain state (UserPolicyState), so that jobs can use the domain's own functions.
  state                 jsonb NOT NULL,
  stream_revision       bigint NOT NULL CHECK (stream_revision >= 0),
  global_position       numeric(20, 0) NOT NULL,
  updated_at            timestamptz NOT NULL,
  CONSTRAINT user_policies_pkey PRIMARY KEY (user_id)
);

-- Written by the invariants job (src/jobs/): one row per check per run.
CREATE TABLE invariant_check_results (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  check_name  text NOT NULL CHECK (length(check_name) BETWEEN 1 AND 100),
  ran_at      timestamptz NOT NULL DEFAULT now(),
  violations  integer NOT NULL CHECK (violations >= 0),
  details     jsonb NOT NULL DEFAULT '[]'::jsonb,
  ok          boolean NOT NULL,
  CONSTRAINT invariant_check_results_ok CHECK (ok = (violations = 0))
);

CREATE INDEX invariant_check_results_recent_idx ON invariant_check_results (check_name, ran_at DESC);
CREATE INDEX invariant_check_results_failed_idx ON invariant_check_results (ran_at DESC) WHERE NOT ok;
