-- Read models built by the sink's inline projections. Each can be rebuilt from `events`.
CREATE TABLE targets (
  id            uuid PRIMARY KEY,
  name          text NOT NULL,
  address       text NOT NULL,
  port          int,
  connection    text NOT NULL,
  credential_id uuid,
  tags          text[] NOT NULL DEFAULT '{}',
  attributes    jsonb NOT NULL DEFAULT '{}',
  host_key      text,
  created_at    timestamptz NOT NULL,
  updated_at    timestamptz NOT NULL,
  position      bigint NOT NULL
);
CREATE INDEX targets_by_name ON targets (lower(name), id);
CREATE INDEX targets_by_address ON targets (address);
CREATE INDEX targets_by_tags ON targets USING gin (tags);
CREATE INDEX targets_by_attributes ON targets USING gin (attributes jsonb_path_ops);
CREATE INDEX targets_by_credential ON targets (credential_id);

CREATE TABLE users (
  id            uuid PRIMARY KEY,
  username      text NOT NULL,
  role          text NOT NULL,
  -- argon2id PHC string: what login verifies; never returned by the API.
  password_hash text NOT NULL,
  disabled      boolean NOT NULL DEFAULT false,
  created_at    timestamptz NOT NULL,
  updated_at    timestamptz NOT NULL,
  position      bigint NOT NULL
);
CREATE INDEX users_by_username ON users (username);

-- Metadata only: the sealed secret stays in the event store, its data key in credential_keys.
CREATE TABLE credentials (
  id          uuid PRIMARY KEY,
  name        text NOT NULL,
  kind        text NOT NULL,
  username    text NOT NULL,
  key_id      uuid NOT NULL,
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL,
  rotated_at  timestamptz,
  position    bigint NOT NULL
);
CREATE INDEX credentials_by_name ON credentials (lower(name));

CREATE TABLE jobs (
  id          uuid PRIMARY KEY,
  name        text NOT NULL,
  description text,
  version     int NOT NULL,
  steps       jsonb NOT NULL,
  parameters  jsonb NOT NULL,
  archived    boolean NOT NULL DEFAULT false,
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL,
  position    bigint NOT NULL
);
CREATE INDEX jobs_by_name ON jobs (lower(name), id);

-- Every version of every job, so an execution can show exactly what it ran.
CREATE TABLE job_versions (
  version_key text PRIMARY KEY,
  job_id      uuid NOT NULL,
  version     int NOT NULL,
  name        text NOT NULL,
  description text,
  steps       jsonb NOT NULL,
  parameters  jsonb NOT NULL,
  created_at  timestamptz NOT NULL,
  position    bigint NOT NULL
);
CREATE INDEX job_versions_by_job ON job_versions (job_id, version);
