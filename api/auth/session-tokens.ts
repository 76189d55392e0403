import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { openSession } from '../../projections/auth-sessions.ts'
import type { Pool } from '../../projections/db.ts'
import type { ApiContext } from '../graphql/context.ts'
import type { AccessTokens } from './access-tokens.ts'
import { refreshCookie } from './cookies.ts'

/** A refresh token is good for a week of inactivity; a session never lasts beyond 30 days. */
export const REFRESH_TOKEN_TTL_MS = 7 * 86_400_000
export const SESSION_TTL_MS = 30 * 86_400_000

const REFRESH_TOKEN = /^[A-Za-z0-9_-]{43}$/

export const newRefreshToken = (): string => randomBytes(32).toString('base64url')
export const isRefreshToken = (value: string | undefined): value is string => value !== undefined && REFRESH_TOKEN.test(value)
/** Stored instead of the token: a database leak yields nothing that can be presented. */
export const refreshTokenHash = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest()

export interface IssuedSession {
  readonly accessToken: string
  readonly expiresAt: Date
}

/** Access token for an existing session, with a new refresh token set as the cookie. */
export const issueTokens = async (
  tokens: AccessTokens,
  ctx: ApiContext,
  userId: string,
  sessionId: string,
  refreshToken: string
): Promise<IssuedSession> => {
  const { token, expiresAt } = await tokens.sign({ userId, sessionId })
  ctx.request.setCookie(refreshCookie(refreshToken, Math.floor(REFRESH_TOKEN_TTL_MS / 1000), ctx.request.secure))
  return { accessToken: token, expiresAt }
}

/** A new session family for a user who just proved who they are. */
export const startSession = async (pool: Pool, tokens: AccessTokens, ctx: ApiContext, userId: string): Promise<IssuedSession> => {
  const sessionId = randomUUID()
  const refreshToken = newRefreshToken()
  await openSession(pool, {
    familyId: sessionId,
    userId,
    tokenHash: refreshTokenHash(refreshToken),
    tokenTtlMs: REFRESH_TOKEN_TTL_MS,
    sessionTtlMs: SESSION_TTL_MS,
    ip: ctx.request.ip,
    userAgent: ctx.request.userAgent ?? null
  })
  return issueTokens(tokens, ctx, userId, sessionId, refreshToken)
}
