-- The deployment checklist's invariants over the read models. Each returns its violations as rows,
-- and nothing when the invariant holds, so `SELECT count(*) FROM check_...()` is the violation count.
-- They are LANGUAGE sql with a text body: table names are resolved when they run, so they keep
-- working after `ledger rebuild` swaps fresh tables in.

-- One exchange order belongs to one execution: the same bitvavo_order_id on two executions means an
-- order was placed (or recorded) twice.
CREATE FUNCTION check_no_duplicates()
RETURNS TABLE (bitvavo_order_id text, executions bigint, client_order_ids text[])
LANGUAGE sql STABLE AS $$
  SELECT t.bitvavo_order_id, count(*), array_agg(t.client_order_id ORDER BY t.client_order_id)
  FROM trade_executions t
  WHERE t.bitvavo_order_id IS NOT NULL
  GROUP BY t.bitvavo_order_id
  HAVING count(*) > 1
  ORDER BY t.bitvavo_order_id
$$;

-- Nothing stays SUBMITTING (outcome unknown) for long: reconcile must resolve it, or an operator.
-- `updated_at` is the time of the execution's last event.
CREATE FUNCTION check_no_stale_submitting(max_age interval DEFAULT interval '10 minutes')
RETURNS TABLE (client_order_id text, user_id text, market text, submitting_at timestamptz,
               updated_at timestamptz, age_seconds bigint, reconcile_attempts integer)
LANGUAGE sql STABLE AS $$
  SELECT t.client_order_id, t.user_id, t.market, t.submitting_at, t.updated_at,
         floor(extract(epoch FROM now() - t.updated_at))::bigint, t.reconcile_attempts
  FROM trade_executions t
  WHERE t.status = 'SUBMITTING' AND t.updated_at < now() - max_age
  ORDER BY t.updated_at, t.client_order_id
$$;

-- An execution the exchange acknowledged always carries the exchange's order id.
CREATE FUNCTION check_no_missing_order_id()
RETURNS TABLE (client_order_id text, user_id text, status text, updated_at timestamptz)
LANGUAGE sql STABLE AS $$
  SELECT t.client_order_id, t.user_id, t.status, t.updated_at
  FROM trade_executions t
  WHERE t.status IN ('SUBMITTED', 'PARTIALLY_FILLED', 'FILLED')
    AND (t.bitvavo_order_id IS NULL OR btrim(t.bitvavo_order_id) = '')
  ORDER BY t.client_order_id
$$;

-- Every execution has a clientOrderId Bitvavo accepts (a UUID; anything else is error 205), so that
-- reconcile can always look the order up by it.
CREATE FUNCTION check_client_order_id_set()
RETURNS TABLE (client_order_id text, user_id text, status text, problem text)
LANGUAGE sql STABLE AS $$
  SELECT t.client_order_id, t.user_id, t.status,
         CASE WHEN t.client_order_id IS NULL OR btrim(t.client_order_id) = '' THEN 'missing'
              ELSE 'not a UUID' END
  FROM trade_executions t
  WHERE t.client_order_id IS NULL
     OR t.client_order_id !~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
  ORDER BY t.client_order_id
$$;
