import { inTransaction, type Pool } from './db.ts'
import type { Queryable } from './projection.ts'

/**
 * Refresh sessions: one family of rotating refresh tokens per login. This is authoritative state
 * (not a projection): it changes on every refresh and matters only while it is fresh. Security
 * facts about it (logins, revocations) are recorded as events by the caller.
 */
export interface NewSession {
  readonly familyId: string
  readonly userId: string
  readonly tokenHash: Buffer
  readonly tokenTtlMs: number
  readonly sessionTtlMs: number
  readonly ip: string | null
  readonly userAgent: string | null
}

export const openSession = async (db: Queryable, s: NewSession): Promise<void> => {
  await db.query(
    `WITH session AS (
       INSERT INTO auth_sessions (family_id, user_id, expires_at, ip, user_agent)
       VALUES ($1, $2, now() + make_interval(secs => $4::float8 / 1000), $5, $6)
     )
     INSERT INTO refresh_tokens (token_hash, family_id, expires_at)
     VALUES ($3, $1, now() + make_interval(secs => least($7::float8, $4::float8) / 1000))`,
    [s.familyId, s.userId, s.tokenHash, s.sessionTtlMs, s.ip?.slice(0, 64) ?? null, s.userAgent?.slice(0, 256) ?? null, s.tokenTtlMs]
  )
}

export type Rotation =
  | { readonly outcome: 'rotated'; readonly familyId: string; readonly userId: string }
  /** A used token came back: the family is now revoked. */
  | { readonly outcome: 'reused'; readonly familyId: string; readonly userId: string }
  | { readonly outcome: 'invalid' }

interface TokenRow {
  family_id: string
  user_id: string
  used_at: Date | null
  token_live: boolean
  session_live: boolean
}

/**
 * Exchanges a refresh token for a new one in the same family. The token row is locked, so two
 * concurrent refreshes with one token cannot both succeed: the second sees it used and revokes
 * the family, as any reuse does.
 */
export const rotateRefreshToken = async (pool: Pool, presented: Buffer, next: Buffer, tokenTtlMs: number): Promise<Rotation> => {
  const client = await pool.connect()
  try {
    return await inTransaction(client, async () => {
      const { rows } = await client.query<TokenRow>(
        `SELECT t.family_id, s.user_id, t.used_at, t.expires_at > now() AS token_live,
                (s.revoked_at IS NULL AND s.expires_at > now()) AS session_live
           FROM refresh_tokens t JOIN auth_sessions s USING (family_id)
          WHERE t.token_hash = $1
            FOR UPDATE OF t, s`,
        [presented]
      )
      const row = rows[0]
      if (!row) return { outcome: 'invalid' }
      if (row.used_at !== null) {
        if (!row.session_live) return { outcome: 'invalid' }
        await revokeFamily(client, row.family_id, 'refresh-token-reused')
        return { outcome: 'reused', familyId: row.family_id, userId: row.user_id }
      }
      if (!row.token_live || !row.session_live) return { outcome: 'invalid' }
      await client.query('UPDATE refresh_tokens SET used_at = now() WHERE token_hash = $1', [presented])
      await client.query(
        `INSERT INTO refresh_tokens (token_hash, family_id, expires_at)
         SELECT $1, family_id, least(expires_at, now() + make_interval(secs => $3::float8 / 1000)) FROM auth_sessions WHERE family_id = $2`,
        [next, row.family_id, tokenTtlMs]
      )
      await client.query('UPDATE auth_sessions SET last_refreshed_at = now() WHERE family_id = $1', [row.family_id])
      return { outcome: 'rotated', familyId: row.family_id, userId: row.user_id }
    })
  } finally {
    client.release()
  }
}

/** The family a (used or unused) refresh token belongs to, if it is still live. */
export const sessionOfRefreshToken = async (db: Queryable, presented: Buffer): Promise<{ familyId: string; userId: string } | null> => {
  const { rows } = await db.query(
    `SELECT s.family_id, s.user_id FROM refresh_tokens t JOIN auth_sessions s USING (family_id)
      WHERE t.token_hash = $1 AND s.revoked_at IS NULL`,
    [presented]
  )
  const row = rows[0] as { family_id: string; user_id: string } | undefined
  return row ? { familyId: row.family_id, userId: row.user_id } : null
}

export const revokeFamily = async (db: Queryable, familyId: string, reason: string): Promise<boolean> => {
  const { rows } = await db.query(
    'UPDATE auth_sessions SET revoked_at = now(), revoked_reason = $2 WHERE family_id = $1 AND revoked_at IS NULL RETURNING family_id',
    [familyId, reason]
  )
  return rows.length > 0
}

/** Revokes every live session of a user, except `keep` (the caller's own, on a password change). */
export const revokeUserSessions = async (db: Queryable, userId: string, reason: string, keep: string | null = null): Promise<number> => {
  const { rows } = await db.query(
    `UPDATE auth_sessions SET revoked_at = now(), revoked_reason = $2
      WHERE user_id = $1 AND revoked_at IS NULL AND ($3::uuid IS NULL OR family_id <> $3::uuid) RETURNING family_id`,
    [userId, reason, keep]
  )
  return rows.length
}

export interface SessionPrincipal {
  readonly userId: string
  readonly username: string
  readonly role: string
}

/**
 * Who an access token speaks for, checked on each use: the session must be live and the user
 * enabled, and the role is the current one (a demotion applies at once, not after 15 minutes).
 */
export const sessionPrincipal = async (db: Queryable, familyId: string, userId: string): Promise<SessionPrincipal | null> => {
  const { rows } = await db.query(
    `SELECT u.id, u.username, u.role FROM auth_sessions s JOIN users u ON u.id = s.user_id
      WHERE s.family_id = $1 AND s.user_id = $2 AND s.revoked_at IS NULL AND s.expires_at > now() AND NOT u.disabled`,
    [familyId, userId]
  )
  const row = rows[0] as { id: string; username: string; role: string } | undefined
  return row ? { userId: row.id, username: row.username, role: row.role } : null
}

/** Forgets sessions that ended more than a day ago (their tokens cascade). */
export const pruneSessions = async (db: Queryable): Promise<number> => {
  const { rows } = await db.query(
    `DELETE FROM auth_sessions WHERE expires_at < now() - interval '1 day' OR revoked_at < now() - interval '1 day' RETURNING family_id`
  )
  return rows.length
}
