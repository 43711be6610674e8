-- The event store: one row per stream (its last revision, the optimistic-concurrency lock) and one
-- row per event. The global order is (transaction_id, global_position): readers only read events of
-- transactions older than every transaction still running (pg_snapshot_xmin), so a transaction that
-- took a lower position but commits late is never skipped.

CREATE TABLE streams (
  stream_id   text PRIMARY KEY,
  revision    bigint NOT NULL CHECK (revision >= 0),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE events (
  global_position  bigint GENERATED ALWAYS AS IDENTITY,
  transaction_id   xid8 NOT NULL DEFAULT pg_current_xact_id(),
  stream_id        text NOT NULL REFERENCES streams (stream_id),
  stream_revision  bigint NOT NULL CHECK (stream_revision >= 0),
  event_id         uuid NOT NULL,
  event_type       text NOT NULL CHECK (length(event_type) BETWEEN 1 AND 100),
  data             jsonb NOT NULL,
  metadata         jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (global_position),
  CONSTRAINT events_stream_revision_unique UNIQUE (stream_id, stream_revision),
  CONSTRAINT events_event_id_unique UNIQUE (event_id)
);

CREATE INDEX events_global_order ON events (transaction_id, global_position);

-- One round trip per append. Raises SQLSTATE 'LE001' on a wrong expected revision with the actual
-- revision (or -1 for no stream) in the DETAIL. Expected: -1 = no stream, -2 = any, n >= 0 = exact.
CREATE FUNCTION append_to_stream(
  p_stream_id text,
  p_expected bigint,
  p_event_ids uuid[],
  p_types text[],
  p_data jsonb[],
  p_metadata jsonb[]
) RETURNS TABLE (next_revision bigint, transaction_id xid8, last_position bigint)
LANGUAGE plpgsql AS $$
DECLARE
  v_count   int := cardinality(p_event_ids);
  v_actual  bigint;
  v_next    bigint;
  v_first   bigint;
  v_pos     bigint;
  v_existing bigint;
BEGIN
  IF v_count IS NULL OR v_count = 0 THEN
    RAISE EXCEPTION 'append needs at least one event' USING ERRCODE = '22023';
  END IF;

  IF p_expected = -1 THEN
    INSERT INTO streams (stream_id, revision) VALUES (p_stream_id, v_count - 1)
      ON CONFLICT (stream_id) DO NOTHING;
    IF FOUND THEN
      v_next := v_count - 1;
    END IF;
  ELSIF p_expected = -2 THEN
    -- Idempotent retry with "any": the first event is already in this stream.
    SELECT e.stream_revision INTO v_existing FROM events e
      WHERE e.event_id = p_event_ids[1] AND e.stream_id = p_stream_id;
    IF FOUND THEN
      RETURN QUERY SELECT e.stream_revision, e.transaction_id, e.global_position FROM events e
        WHERE e.stream_id = p_stream_id AND e.event_id = p_event_ids[v_count];
      RETURN;
    END IF;
    INSERT INTO streams AS s (stream_id, revision) VALUES (p_stream_id, v_count - 1)
      ON CONFLICT (stream_id) DO UPDATE SET revision = s.revision + v_count, updated_at = now()
      RETURNING s.revision INTO v_next;
  ELSE
    UPDATE streams SET revision = revision + v_count, updated_at = now()
      WHERE stream_id = p_stream_id AND revision = p_expected
      RETURNING revision INTO v_next;
  END IF;

  IF v_next IS NULL THEN
    SELECT revision INTO v_actual FROM streams WHERE stream_id = p_stream_id;
    -- Idempotent retry: the very same events (same ids, same places) are already there.
    IF v_actual IS NOT NULL THEN
      SELECT count(*) INTO v_existing FROM events e
        WHERE e.stream_id = p_stream_id
          AND e.event_id = ANY (p_event_ids)
          AND e.stream_revision = (CASE WHEN p_expected = -1 THEN -1 ELSE p_expected END)
                                  + 1 + array_position(p_event_ids, e.event_id) - 1;
      IF v_existing = v_count THEN
        RETURN QUERY SELECT e.stream_revision, e.transaction_id, e.global_position FROM events e
          WHERE e.stream_id = p_stream_id AND e.event_id = p_event_ids[v_count];
        RETURN;
      END IF;
    END IF;
    RAISE EXCEPTION 'wrong expected revision for stream %', p_stream_id
      USING ERRCODE = 'LE001', DETAIL = coalesce(v_actual, -1)::text;
  END IF;

  v_first := v_next - v_count + 1;
  WITH inserted AS (
    INSERT INTO events (stream_id, stream_revision, event_id, event_type, data, metadata)
      SELECT p_stream_id, v_first + i - 1, p_event_ids[i], p_types[i], p_data[i], coalesce(p_metadata[i], '{}'::jsonb)
      FROM generate_subscripts(p_event_ids, 1) AS i
      ORDER BY i
      RETURNING global_position
  )
  SELECT max(global_position) INTO v_pos FROM inserted;

  PERFORM pg_notify('ledger_events', '');
  RETURN QUERY SELECT v_next, pg_current_xact_id(), v_pos;
END;
$$;
