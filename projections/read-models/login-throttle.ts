import { absurd, type RecordedEvent } from '../../domains/shared/index.ts'
import { extendStreak, type FailureStreak, type LoginEvent } from '../../domains/users/index.ts'
import type { DocumentProjection, Queryable } from '../projection.ts'

export interface LoginThrottleRow extends Record<string, unknown> {
  /** `user:<login id>` or `ip:<client address>`. */
  subject: string
  failures: number
  last_failure_at: string | Date
  position: number
}

export const usernameSubject = (loginId: string): string => `user:${loginId}`
export const addressSubject = (ip: string): string => `ip:${ip}`

const loginIdOf = (e: RecordedEvent): string => e.stream.slice('login-'.length)
const iso = (t: string | Date): string => (t instanceof Date ? t.toISOString() : t)

/**
 * Failure streaks for login throttling, shared by every API replica. A failure extends the
 * streak of its username and of its client address; a success ends the username's streak only
 * (a working account must not reset an address that is guessing other passwords).
 */
export const loginThrottleProjection: DocumentProjection<LoginThrottleRow> = {
  table: 'login_throttle',
  key: 'subject',
  keyType: 'text',
  columns: ['subject', 'failures', 'last_failure_at', 'position'],
  canHandle: new Set<LoginEvent['type']>(['LoginFailed', 'LoginSucceeded']),
  // A streak whose window passed long ago throttles nothing; a later failure starts a new
  // streak from such a row exactly as from no row.
  expiredWhen: "last_failure_at < now() - interval '1 day'",
  keysOf: (e) => {
    const user = usernameSubject(loginIdOf(e))
    const ip = e.meta.actor?.ip
    return e.type === 'LoginFailed' && ip ? [user, addressSubject(ip)] : [user]
  },
  evolve: (row, recorded, key) => {
    const event = { type: recorded.type, data: recorded.data } as LoginEvent
    switch (event.type) {
      case 'LoginFailed': {
        const before = row ? { failures: row.failures, lastFailureAt: iso(row.last_failure_at) } : null
        const after = extendStreak(before, recorded.meta.occurredAt)
        return { subject: key, failures: after.failures, last_failure_at: after.lastFailureAt, position: recorded.position }
      }
      case 'LoginSucceeded':
        return null
      case 'SessionsRevoked':
        return row
      default:
        return absurd(event)
    }
  }
}

/** Current streaks for the given subjects (absent = no recent failures). */
export const readFailureStreaks = async (db: Queryable, subjects: ReadonlyArray<string>): Promise<Map<string, FailureStreak>> => {
  const { rows } = await db.query('SELECT subject, failures, last_failure_at FROM login_throttle WHERE subject = ANY($1::text[])', [subjects])
  return new Map(
    (rows as LoginThrottleRow[]).map((r) => [r.subject, { failures: r.failures, lastFailureAt: iso(r.last_failure_at) }])
  )
}

/** Forgets streaks whose window passed long ago (see `expiredWhen`). */
export const pruneFailureStreaks = async (db: Queryable): Promise<void> => {
  await db.query(`DELETE FROM login_throttle WHERE ${loginThrottleProjection.expiredWhen}`)
}
