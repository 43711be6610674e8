-- The event store: one row per event. Optimistic concurrency is enforced by the unique
-- (stream_id, stream_revision): two appends that expect the same revision both try to write the
-- next one and the database lets exactly one of them commit. An append is a single INSERT, so it
-- costs about what a plain INSERT costs (bench/append.ts measures the ratio).
--
-- The global order is (transaction_id, global_position): readers only read events of transactions
-- older than every transaction still running (pg_snapshot_xmin), so a transaction that took a
-- lower position but commits late is never skipped.

CREATE TABLE events (
  transaction_id   xid8 NOT NULL DEFAULT pg_current_xact_id(),
  global_position  bigint GENERATED ALWAYS AS IDENTITY,
  stream_id        text NOT NULL CHECK (length(stream_id) BETWEEN 1 AND 200),
  stream_revision  bigint NOT NULL CHECK (stream_revision >= 0),
  event_id         uuid NOT NULL,
  event_type       text NOT NULL CHECK (length(event_type) BETWEEN 1 AND 100),
  data             jsonb NOT NULL CHECK (jsonb_typeof(data) = 'object'),
  metadata         jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
  CONSTRAINT events_global_order PRIMARY KEY (transaction_id, global_position),
  CONSTRAINT events_stream_revision_unique UNIQUE (stream_id, stream_revision),
  CONSTRAINT events_event_id_unique UNIQUE (event_id)
);

-- Streams as a view, for tools that list them (replay, verify).
CREATE VIEW streams AS
  SELECT stream_id, max(stream_revision) AS revision, min(created_at) AS created_at, max(created_at) AS updated_at
  FROM events GROUP BY stream_id;
