-- The event store: every event, keyed by the JetStream sequence of the message that carried it
-- (the global position) and its index within that message. Rows are never updated.
CREATE TABLE events (
  position     bigint      NOT NULL,
  idx          smallint    NOT NULL,
  id           uuid        NOT NULL UNIQUE,
  stream       text        NOT NULL,
  type         text        NOT NULL,
  data         jsonb       NOT NULL,
  meta         jsonb       NOT NULL,
  message_id   text        NOT NULL,
  actor_id     text,
  occurred_at  timestamptz NOT NULL,
  recorded_at  timestamptz NOT NULL DEFAULT now(),
  -- sha256 over the previous event's hash and this event's canonical form: tamper evidence.
  hash         bytea       NOT NULL,
  PRIMARY KEY (position, idx)
);
CREATE INDEX events_by_stream ON events (stream, position);
CREATE INDEX events_by_type ON events (type, position);
CREATE INDEX events_by_actor ON events (actor_id, position);
CREATE INDEX events_by_time ON events (occurred_at);

-- One row per consumer that writes (the sink, reactors): how far it got, in the same
-- transaction as its writes.
CREATE TABLE checkpoints (
  name        text        PRIMARY KEY,
  position    bigint      NOT NULL,
  last_hash   bytea,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Per-credential data keys, wrapped by the master key. Never part of an event: deleting a row
-- is what makes a credential's sealed secret unreadable forever (crypto-shredding).
CREATE TABLE credential_keys (
  key_id        uuid        PRIMARY KEY,
  credential_id uuid        NOT NULL,
  wrapped_key   bytea       NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX credential_keys_by_credential ON credential_keys (credential_id);
