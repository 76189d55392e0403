-- Executions and their per-target runs, for execution pages, dashboards and the API.
CREATE TABLE executions (
  id               uuid PRIMARY KEY,
  job_id           uuid NOT NULL,
  job_version      int NOT NULL,
  job_name         text NOT NULL,
  status           text NOT NULL,
  requested_by     jsonb NOT NULL,
  options          jsonb NOT NULL,
  target_count     int NOT NULL,
  succeeded        int NOT NULL DEFAULT 0,
  failed           int NOT NULL DEFAULT 0,
  cancelled        int NOT NULL DEFAULT 0,
  skipped          int NOT NULL DEFAULT 0,
  cancel_requested boolean NOT NULL DEFAULT false,
  reason           text,
  created_at       timestamptz NOT NULL,
  started_at       timestamptz,
  finished_at      timestamptz,
  position         bigint NOT NULL
);
CREATE INDEX executions_by_time ON executions (created_at DESC, id);
CREATE INDEX executions_by_job ON executions (job_id, created_at DESC);
CREATE INDEX executions_by_status ON executions (status, created_at DESC);

CREATE TABLE target_runs (
  run_key      text PRIMARY KEY,
  execution_id uuid NOT NULL,
  target_id    uuid NOT NULL,
  target_name  text NOT NULL,
  ordinal      int NOT NULL,
  status       text NOT NULL,
  attempt      int NOT NULL,
  exit_code    int,
  reason       text,
  worker_id    text,
  step_index   int,
  output_bytes bigint NOT NULL DEFAULT 0,
  started_at   timestamptz,
  finished_at  timestamptz,
  position     bigint NOT NULL
);
CREATE INDEX target_runs_by_execution ON target_runs (execution_id, ordinal);
CREATE INDEX target_runs_by_target ON target_runs (target_id, started_at DESC);
