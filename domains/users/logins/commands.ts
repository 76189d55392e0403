/** Why a login failed. Recorded for the audit log; the caller only ever hears "invalid username or password". */
export const LOGIN_FAILURE_REASONS = ['unknown-user', 'wrong-password', 'user-disabled'] as const
export type LoginFailureReason = (typeof LOGIN_FAILURE_REASONS)[number]

export const SESSION_REVOCATION_REASONS = ['logout', 'revoke-all', 'password-changed', 'password-reset', 'user-disabled', 'refresh-token-reused'] as const
export type SessionRevocationReason = (typeof SESSION_REVOCATION_REASONS)[number]

/**
 * The sign-in history of one username lives on its own stream (`loginId` is a digest of the
 * username, computed by the edge), so failed attempts for names that belong to nobody are
 * recorded too, and no user stream becomes hot under a password-guessing attack.
 * Passwords are never part of a command.
 */
export interface RecordLoginFailure {
  readonly type: 'RecordLoginFailure'
  readonly loginId: string
  readonly username: string
  /** null when no user has this username. */
  readonly userId: string | null
  readonly reason: LoginFailureReason
  readonly at: string
}
export interface RecordLoginSuccess {
  readonly type: 'RecordLoginSuccess'
  readonly loginId: string
  readonly username: string
  readonly userId: string
  readonly at: string
}
/** `scope`: one session (logout) or every session of the user. */
export interface RecordSessionsRevoked {
  readonly type: 'RecordSessionsRevoked'
  readonly loginId: string
  readonly username: string
  readonly userId: string
  readonly scope: 'session' | 'all'
  readonly reason: SessionRevocationReason
  readonly at: string
}

export type LoginCommand = RecordLoginFailure | RecordLoginSuccess | RecordSessionsRevoked
