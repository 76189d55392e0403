/**
 * Login throttling policy, pure: a streak of failures per username and per client address.
 * The first few failures are free; after that every attempt waits, doubling with each further
 * failure, up to the window. A streak ends when the window passes without a failure (or, for a
 * username, on a successful login).
 */
export const LOGIN_THROTTLE = {
  windowMs: 15 * 60_000,
  freeFailuresPerUsername: 5,
  // Higher: many people may share one address (NAT, a proxy).
  freeFailuresPerAddress: 20,
  baseDelayMs: 15_000,
  maxDelayMs: 15 * 60_000
} as const

export interface FailureStreak {
  readonly failures: number
  /** ISO time of the latest failure. */
  readonly lastFailureAt: string
}

/** The streak after one more failure at `at`. */
export const extendStreak = (streak: FailureStreak | null, at: string): FailureStreak => {
  const fresh = !streak || Date.parse(at) - Date.parse(streak.lastFailureAt) > LOGIN_THROTTLE.windowMs
  return { failures: fresh ? 1 : streak.failures + 1, lastFailureAt: at }
}

/** How long the next attempt must wait (0 = allowed now), given `free` failures before throttling. */
export const retryAfterMs = (streak: FailureStreak | null, free: number, now: string): number => {
  if (!streak || streak.failures < free) return 0
  const delay = Math.min(LOGIN_THROTTLE.maxDelayMs, LOGIN_THROTTLE.baseDelayMs * 2 ** Math.min(streak.failures - free, 16))
  return Math.max(0, Date.parse(streak.lastFailureAt) + delay - Date.parse(now))
}
