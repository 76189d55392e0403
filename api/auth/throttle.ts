import { LOGIN_THROTTLE, retryAfterMs, type FailureStreak } from '../../domains/users/index.ts'
import type { Pool } from '../../projections/db.ts'
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
