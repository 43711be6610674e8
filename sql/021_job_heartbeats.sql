-- Which instance runs which scheduled job, and is it alive (src/jobs/scheduler/JobHeartbeat.ts).
-- Every instance that runs the jobs (`ledger serve` without --no-jobs) keeps one row per job here:
-- written at start, refreshed every 30 s and on every run (idle interval runs too, which job_runs
-- leaves out), deleted on a graceful shutdown. A row whose heartbeat_at is older than 90 s belongs
-- to a dead instance (it crashed or lost the database); such rows are kept for a day, so that
-- operators see what died and when, then pruned by any live instance.

CREATE TABLE job_heartbeats (
  instance_id          text NOT NULL CHECK (length(instance_id) BETWEEN 1 AND 200),
  job                  text NOT NULL CHECK (length(job) BETWEEN 1 AND 100),
  -- The job's schedule on that instance: a 5-field UTC cron pattern, or an interval in ms.
  cron                 text CHECK (cron IS NULL OR length(cron) BETWEEN 1 AND 100),
  every_ms             integer CHECK (every_ms IS NULL OR every_ms > 0),
  registered_at        timestamptz NOT NULL,
  heartbeat_at         timestamptz NOT NULL,
  -- The last attempt on that instance (any outcome; 'running' while it runs).
  last_run_started_at  timestamptz,
  last_run_finished_at timestamptz,
  last_run_outcome     text CHECK (last_run_outcome IS NULL OR last_run_outcome IN
                         ('running', 'succeeded', 'failed', 'skipped_locked', 'skipped_already_ran')),
  next_due_at          timestamptz,
  PRIMARY KEY (instance_id, job),
  CHECK ((cron IS NULL) <> (every_ms IS NULL))
);

CREATE INDEX job_heartbeats_by_heartbeat ON job_heartbeats (heartbeat_at);
