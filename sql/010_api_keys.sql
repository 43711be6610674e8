-- API keys of the HTTP API. Only a SHA-256 of each key is stored: keys are 192-bit random tokens, so
-- a fast hash is enough (there is nothing to brute-force), and a stolen table does not give access.
-- `key_id` is the public part of the key (its first characters), shown in logs and audit events.
CREATE TABLE api_keys (
  key_id      text PRIMARY KEY CHECK (length(key_id) BETWEEN 8 AND 40),
  key_hash    text NOT NULL UNIQUE CHECK (key_hash ~ '^[0-9a-f]{64}$'),
  role        text NOT NULL CHECK (role IN ('trader', 'ops')),
  user_id     text CHECK (user_id IS NULL OR length(user_id) BETWEEN 1 AND 100),
  name        text CHECK (name IS NULL OR length(name) BETWEEN 1 AND 100),
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz,
  -- A trader key is bound to exactly one user; an ops key to none.
  CONSTRAINT api_keys_role_user CHECK ((role = 'trader') = (user_id IS NOT NULL))
);
