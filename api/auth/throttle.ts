import { LOGIN_THROTTLE, retryAfterMs, type FailureStreak } from '../../domains/users/index.ts'
import type { Pool } from '../../projections/db.ts'
import { apiError } from '../graphql/errors.ts'
import { addressSubject, readFailureStreaks, usernameSubject } from '../../projections/read-models/login-throttle.ts'

export interface LoginThrottle {
  /** Milliseconds the caller must wait before this attempt may be checked (0 = go ahead). */
  readonly retryAfter: (loginId: string, ip: string) => Promise<number>
  /** Counts an attempt as failing until it is recorded, so a burst cannot outrun the projection. */
  readonly begin: (loginId: string, ip: string) => () => void
}

/**
 * Streaks come from the `login_throttle` projection (shared by every replica, fed by LoginFailed
 * events); attempts still being checked in this process are added on top.
 */
export const loginThrottle = (pool: Pool): LoginThrottle => {
  const inFlight = new Map<string, number>()
  const effective = (streak: FailureStreak | undefined, pending: number, now: string): FailureStreak | null => {
    if (streak) return { failures: streak.failures + pending, lastFailureAt: streak.lastFailureAt }
    return pending > 0 ? { failures: pending, lastFailureAt: now } : null
  }
  return {
    retryAfter: async (loginId, ip) => {
      const user = usernameSubject(loginId)
      const address = addressSubject(ip)
      const streaks = await readFailureStreaks(pool, [user, address])
      const now = new Date().toISOString()
      return Math.max(
        retryAfterMs(effective(streaks.get(user), inFlight.get(user) ?? 0, now), LOGIN_THROTTLE.freeFailuresPerUsername, now),
        retryAfterMs(effective(streaks.get(address), inFlight.get(address) ?? 0, now), LOGIN_THROTTLE.freeFailuresPerAddress, now)
      )
    },
    begin: (loginId, ip) => {
      const subjects = [usernameSubject(loginId), addressSubject(ip)]
      for (const s of subjects) inFlight.set(s, (inFlight.get(s) ?? 0) + 1)
      let done = false
      return () => {
        if (done) return
        done = true
        for (const s of subjects) {
          const left = (inFlight.get(s) ?? 1) - 1
          if (left <= 0) inFlight.delete(s)
          else inFlight.set(s, left)
        }
      }
    }
  }
}

/**
 * Starts a password check for `loginId` from `ip`: refuses at once (FORBIDDEN, RATE_LIMITED)
 * while the username or the address is throttled; otherwise counts the attempt as failing until
 * the returned function says it was recorded. Login and changePassword both go through here.
 */
export const beginPasswordCheck = async (throttle: LoginThrottle, loginId: string, ip: string): Promise<() => void> => {
  const wait = await throttle.retryAfter(loginId, ip)
  if (wait > 0) {
    const seconds = Math.ceil(wait / 1000)
    throw apiError('FORBIDDEN', `too many failed logins for this username or address; try again in ${seconds} s`, {
      reason: 'RATE_LIMITED',
      retryAfterSeconds: seconds
    })
  }
  return throttle.begin(loginId, ip)
}
