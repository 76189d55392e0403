import { describe, expect, it } from 'vitest'
import { specFor } from '../../shared/testing.ts'
import { loginDecider } from './decider.ts'
import type { LoginEvent } from './events.ts'
import { extendStreak, LOGIN_THROTTLE, retryAfterMs } from './throttle.ts'

const spec = specFor(loginDecider)
const loginId = 'c'.repeat(40)
const userId = '6f1c2a4e-1b2c-4d3e-8f90-0a1b2c3d4e5f'
const at = '2025-01-01T00:00:00.000Z'

const failure = { type: 'RecordLoginFailure', loginId, username: 'alice', userId, reason: 'wrong-password', at } as const
const failed: LoginEvent = { type: 'LoginFailed', data: { username: 'alice', userId, reason: 'wrong-password' } }

describe('Login history', () => {
  describe('when nothing was recorded', () => {
    it('records a failed login', () => spec().when(failure).then([failed]))
    it('records a failure for a username nobody has', () =>
      spec()
        .when({ ...failure, userId: null, reason: 'unknown-user' })
        .then([{ type: 'LoginFailed', data: { username: 'alice', userId: null, reason: 'unknown-user' } }]))
    it('records a successful login', () =>
      spec()
        .when({ type: 'RecordLoginSuccess', loginId, username: 'alice', userId, at })
        .then([{ type: 'LoginSucceeded', data: { username: 'alice', userId } }]))
    it('records revoked sessions', () =>
      spec()
        .when({ type: 'RecordSessionsRevoked', loginId, username: 'alice', userId, scope: 'all', reason: 'revoke-all', at })
        .then([{ type: 'SessionsRevoked', data: { username: 'alice', userId, scope: 'all', reason: 'revoke-all' } }]))
    it('rejects a malformed username', () => spec().when({ ...failure, username: "' OR 1=1 --" }).thenRejects('InvalidInput', 'username'))
    it('rejects an unknown reason', () => spec().when({ ...failure, reason: 'guess' as 'wrong-password' }).thenRejects('InvalidInput', 'reason'))
    it('rejects a malformed id', () => spec().when({ ...failure, loginId: 'x' }).thenRejects('InvalidInput', 'loginId'))
  })

  describe('when attempts were recorded', () => {
    it('records every further failure as a new fact', () => spec([failed, failed]).when(failure).then([failed]))
    it('rejects a command for another username on the same stream', () =>
      spec([failed]).when({ ...failure, username: 'bob' }).thenRejects('LoginKeyMismatch'))
  })
})

describe('Login throttling', () => {
  const free = LOGIN_THROTTLE.freeFailuresPerUsername
  const streakOf = (failures: number) => Array.from({ length: failures }).reduce<ReturnType<typeof extendStreak> | null>((s) => extendStreak(s, at), null)

  it('lets the first failures through', () => expect(retryAfterMs(streakOf(free - 1), free, at)).toBe(0))
  it('makes the next attempt wait once the free failures are used up', () =>
    expect(retryAfterMs(streakOf(free), free, at)).toBe(LOGIN_THROTTLE.baseDelayMs))
  it('doubles the wait with each further failure', () =>
    expect(retryAfterMs(streakOf(free + 2), free, at)).toBe(LOGIN_THROTTLE.baseDelayMs * 4))
  it('never waits longer than the window', () => expect(retryAfterMs(streakOf(free + 40), free, at)).toBe(LOGIN_THROTTLE.maxDelayMs))
  it('allows the attempt once the wait is over', () =>
    expect(retryAfterMs(streakOf(free), free, new Date(Date.parse(at) + LOGIN_THROTTLE.baseDelayMs).toISOString())).toBe(0))
  it('starts a new streak after a quiet window', () => {
    const later = new Date(Date.parse(at) + LOGIN_THROTTLE.windowMs + 1).toISOString()
    expect(extendStreak(streakOf(free + 3), later)).toEqual({ failures: 1, lastFailureAt: later })
  })
})
