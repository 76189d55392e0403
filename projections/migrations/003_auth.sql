-- Access management: API tokens (a projection), login throttling (a projection), and refresh
-- sessions (authoritative state kept only here: high-churn, short-lived, never replayed).

CREATE TABLE api_tokens (
  id              uuid PRIMARY KEY,
  name            text NOT NULL,
  role            text NOT NULL,
  -- SHA-256 (hex) of the token; the token itself is shown once and stored nowhere.
  token_hash      text NOT NULL,
  expires_at      timestamptz,
  revoked_at      timestamptz,
  created_at      timestamptz NOT NULL,
  created_by_id   text,
  created_by_name text,
  position        bigint NOT NULL,
  -- Written by the API (at most once a minute per token), not by the projection, so a rebuild
  -- from events starts it over at NULL.
  last_used_at    timestamptz
);
CREATE INDEX api_tokens_by_hash ON api_tokens (token_hash);
CREATE INDEX api_tokens_by_name ON api_tokens (lower(name), id);

-- Failure streaks per username ('user:<login id>') and per client address ('ip:<address>').
CREATE TABLE login_throttle (
  subject         text PRIMARY KEY,
  failures        int NOT NULL,
  last_failure_at timestamptz NOT NULL,
  position        bigint NOT NULL
);

-- One row per login: a family of refresh tokens. Revoking the family ends the session, and
-- access tokens naming it (claim `sid`) stop working at once.
CREATE TABLE auth_sessions (
  family_id         uuid PRIMARY KEY,
  user_id           uuid NOT NULL,
  created_at        timestamptz NOT NULL DEFAULT now(),
  -- Absolute limit: rotation never extends a session beyond it.
  expires_at        timestamptz NOT NULL,
  last_refreshed_at timestamptz,
  revoked_at        timestamptz,
  revoked_reason    text,
  ip                text,
  user_agent        text
);
CREATE INDEX auth_sessions_by_user ON auth_sessions (user_id) WHERE revoked_at IS NULL;
CREATE INDEX auth_sessions_by_expiry ON auth_sessions (expires_at);

-- Every refresh token ever issued in a family, by SHA-256. A token is used once; presenting a
-- used one again means it was stolen (or replayed), and the whole family is revoked.
CREATE TABLE refresh_tokens (
  token_hash bytea PRIMARY KEY,
  family_id  uuid NOT NULL REFERENCES auth_sessions (family_id) ON DELETE CASCADE,
  issued_at  timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at    timestamptz
);
CREATE INDEX refresh_tokens_by_family ON refresh_tokens (family_id);
