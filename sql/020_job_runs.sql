-- One row per run of a scheduled job (src/jobs/). A run holds a PostgreSQL advisory lock while it
-- works, so instances never run one job at the same time; the partial unique index below also makes
-- sure that one cron slot (scheduled_for) is worked by one instance only, even when the instances
-- run one after the other.

CREATE TABLE job_runs (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  job            text NOT NULL CHECK (length(job) BETWEEN 1 AND 100),
  instance_id    text NOT NULL CHECK (length(instance_id) BETWEEN 1 AND 200),
  -- 'schedule': a cron slot; 'interval': an every-N-ms job; 'manual': asked for by a person or a test.
  trigger        text NOT NULL CHECK (trigger IN ('schedule', 'interval', 'manual')),
  -- The cron slot this run works for (NULL for interval and manual runs).
  scheduled_for  timestamptz,
  started_at     timestamptz NOT NULL,
  finished_at    timestamptz,
  outcome        text NOT NULL
    CHECK (outcome IN ('running', 'succeeded', 'failed', 'skipped_locked', 'skipped_already_ran')),
  detail         jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(detail) = 'object')
);

CREATE UNIQUE INDEX job_runs_one_run_per_slot ON job_runs (job, scheduled_for)
  WHERE scheduled_for IS NOT NULL AND outcome IN ('running', 'succeeded', 'failed');

CREATE INDEX job_runs_by_job_recent ON job_runs (job, started_at DESC);
