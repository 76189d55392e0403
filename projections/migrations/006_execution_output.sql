-- Output of target runs, copied from the logs stream for range reads and downloads. Chunks are
-- keyed by their coordinates, so a replayed chunk is stored once.
CREATE TABLE execution_output (
  execution_id uuid     NOT NULL,
  target_id    uuid     NOT NULL,
  attempt      int      NOT NULL,
  seq          int      NOT NULL,
  stream       text     NOT NULL,
  step_index   int      NOT NULL,
  data         bytea    NOT NULL,
  position     bigint   NOT NULL,
  PRIMARY KEY (execution_id, target_id, attempt, seq)
);
