import { GraphQLError } from 'graphql'
import { changeOwnPassword, loginIdOf, recordLoginFailure, recordSessionsRevoked, WRONG_OLD_PASSWORD } from '../../commands/auth.ts'
import type { SessionRevocationReason } from '../../domains/users/index.ts'
import {
  revokeFamily,
  revokeUserSessions,
  rotateRefreshToken,
  sessionOfRefreshToken
} from '../../projections/auth-sessions.ts'
import { usersByIds } from '../../projections/queries/users.ts'
import type { Platform } from '../../runtime/platform.ts'
import type { ApiContext, Principal } from '../graphql/context.ts'
import { apiError } from '../graphql/errors.ts'
import type { AccessTokens } from './access-tokens.ts'
import { clearedRefreshCookie, REFRESH_COOKIE } from './cookies.ts'
import type { AuthPayloadData } from './login.ts'
import type { PrincipalResolver } from './principals.ts'
import { beginPasswordCheck, type LoginThrottle } from './throttle.ts'
import { isRefreshToken, issueTokens, newRefreshToken, REFRESH_TOKEN_TTL_MS, refreshTokenHash } from './session-tokens.ts'

const signedOut = (ctx: ApiContext, message: string) => {
  ctx.request.setCookie(clearedRefreshCookie(ctx.request.secure))
  return apiError('UNAUTHENTICATED', message)
}

const userOf = (principal: Principal | null): Principal => {
  if (!principal || principal.kind !== 'user') throw apiError('FORBIDDEN', 'only users have sessions')
  return principal
}

/**
 * Refresh sessions: rotation with reuse detection, logout, "revoke all my sessions", and the
 * revocations that follow a password change, a reset or disabling a user. Each revocation is
 * recorded as a SessionsRevoked event (audit), and this process forgets its cached principals.
 */
export const makeSessions = (platform: Platform, tokens: AccessTokens, principals: PrincipalResolver, throttle: LoginThrottle) => {
  const { pool } = platform

  const record = async (ctx: ApiContext, userId: string, username: string | undefined, scope: 'session' | 'all', reason: SessionRevocationReason) => {
    principals.invalidate()
    const name = username ?? (await usersByIds(pool, [userId]))[0]?.username
    if (name) await ctx.runCommand((c) => recordSessionsRevoked({ username: name, userId, scope, reason }, c))
  }

  const refresh = async (ctx: ApiContext): Promise<AuthPayloadData> => {
    const presented = ctx.request.cookie(REFRESH_COOKIE)
    if (!isRefreshToken(presented)) throw signedOut(ctx, 'no refresh session: log in')
    const next = newRefreshToken()
    const rotation = await rotateRefreshToken(pool, refreshTokenHash(presented), refreshTokenHash(next), REFRESH_TOKEN_TTL_MS)
    switch (rotation.outcome) {
      case 'invalid':
        throw signedOut(ctx, 'the refresh session is expired or revoked: log in again')
      case 'reused':
        // Someone presented a token that was already exchanged: it was copied. End the family.
        await record(ctx, rotation.userId, undefined, 'session', 'refresh-token-reused')
        throw signedOut(ctx, 'this refresh token was already used, so the session was revoked for safety: log in again')
      case 'rotated': {
        const user = (await usersByIds(pool, [rotation.userId]))[0]
        if (!user || user.disabled) {
          await revokeFamily(pool, rotation.familyId, 'user-disabled')
          throw signedOut(ctx, 'the user is disabled')
        }
        return { ...(await issueTokens(tokens, ctx, user.id, rotation.familyId, next)), user }
      }
      default:
        return rotation satisfies never
    }
  }

  /** Ends the session of the refresh cookie and of the access token, whichever were sent. */
  const logout = async (ctx: ApiContext): Promise<boolean> => {
    const ended = new Map<string, string>()
    const presented = ctx.request.cookie(REFRESH_COOKIE)
    const fromCookie = isRefreshToken(presented) ? await sessionOfRefreshToken(pool, refreshTokenHash(presented)) : null
    if (fromCookie) ended.set(fromCookie.familyId, fromCookie.userId)
    if (ctx.principal?.kind === 'user' && ctx.principal.sessionId) ended.set(ctx.principal.sessionId, ctx.principal.id)
    for (const [familyId, userId] of ended) {
      if (await revokeFamily(pool, familyId, 'logout')) await record(ctx, userId, undefined, 'session', 'logout')
    }
    ctx.request.setCookie(clearedRefreshCookie(ctx.request.secure))
    return true
  }

  const revokeAll = async (ctx: ApiContext): Promise<number> => {
    const user = userOf(ctx.principal)
    const count = await revokeUserSessions(pool, user.id, 'revoke-all')
    await record(ctx, user.id, user.name, 'all', 'revoke-all')
    ctx.request.setCookie(clearedRefreshCookie(ctx.request.secure))
    return count
  }

  /**
   * The caller's other sessions end; the one they changed it from stays. The old password is a
   * password check like a login: throttled the same way, and a wrong one is a LoginFailed, so a
   * stolen access token cannot be used to guess it.
   */
  const changePassword = async (ctx: ApiContext, oldPassword: string, newPassword: string): Promise<boolean> => {
    const user = userOf(ctx.principal)
    const done = await beginPasswordCheck(throttle, loginIdOf(user.name), ctx.request.ip)
    try {
      await ctx.runCommand((c) => changeOwnPassword(user.id, oldPassword, newPassword, c))
    } catch (error) {
      if (error instanceof GraphQLError && error.extensions.field === 'oldPassword' && error.message.endsWith(WRONG_OLD_PASSWORD))
        await ctx.runCommand((c) => recordLoginFailure({ username: user.name, userId: user.id, reason: 'wrong-password' }, c))
      throw error
    } finally {
      done()
    }
    await revokeUserSessions(pool, user.id, 'password-changed', user.sessionId ?? null)
    await record(ctx, user.id, user.name, 'all', 'password-changed')
    return true
  }

  /** After an admin reset a password or disabled a user: every session of that user ends. */
  const endUserSessions = async (ctx: ApiContext, userId: string, reason: 'password-reset' | 'user-disabled'): Promise<void> => {
    await revokeUserSessions(pool, userId, reason)
    await record(ctx, userId, undefined, 'all', reason)
  }

  return { refresh, logout, revokeAll, changePassword, endUserSessions, forgetCachedPrincipals: principals.invalidate }
}
