import { apiTokenHash, looksLikeApiToken } from '../../commands/tokens.ts'
import type { Pool } from '../../projections/db.ts'
import { sessionPrincipal } from '../../projections/auth-sessions.ts'
import { findActiveApiToken, touchApiToken } from '../../projections/read-models/api-tokens.ts'
import type { Principal, Role } from '../graphql/context.ts'
import type { AccessTokens } from './access-tokens.ts'

export interface Identified {
  readonly principal: Principal | null
  /** A credential was presented and refused. */
  readonly rejected: boolean
}

export interface PrincipalResolver {
  readonly identify: (authorization: string | undefined) => Promise<Identified>
  /** Forget cached answers after this process revoked or changed something. */
  readonly invalidate: () => void
}

// Revocations and role changes made by another replica apply within this time.
const CACHE_MS = 2_000
const CACHE_MAX = 10_000
const TOUCH_EVERY_MS = 60_000
const BEARER = /^Bearer ([A-Za-z0-9._~+/=-]{1,4096})$/

const isRole = (role: string): role is Role => role === 'ADMIN' || role === 'OPERATOR' || role === 'VIEWER'

/**
 * Turns `Authorization: Bearer …` into the caller: an API token (`opc_…`, looked up by hash) or
 * an access token (JWT, whose session and user are checked). Answers are cached briefly so a
 * busy client costs one lookup per two seconds, not one per request.
 */
export const principalResolver = (pool: Pool, tokens: AccessTokens, onError: (message: string) => void): PrincipalResolver => {
  const cache = new Map<string, { principal: Principal | null; until: number }>()
  const touchedAt = new Map<string, number>()

  const remember = (key: string, principal: Principal | null): Principal | null => {
    if (cache.size >= CACHE_MAX) cache.clear()
    cache.set(key, { principal, until: Date.now() + CACHE_MS })
    return principal
  }

  const touch = (tokenId: string, lastUsedAt: Date | null) => {
    const now = Date.now()
    const last = Math.max(touchedAt.get(tokenId) ?? 0, lastUsedAt?.getTime() ?? 0)
    if (now - last < TOUCH_EVERY_MS) return
    if (touchedAt.size >= CACHE_MAX) touchedAt.clear()
    touchedAt.set(tokenId, now)
    touchApiToken(pool, tokenId).catch((e: Error) => onError(`could not record API token use: ${e.message}`))
  }

  const apiToken = async (token: string): Promise<Principal | null> => {
    const hash = apiTokenHash(token)
    const key = `t:${hash}`
    const cached = cache.get(key)
    if (cached && cached.until > Date.now()) {
      if (cached.principal) touch(cached.principal.id, null)
      return cached.principal
    }
    const found = await findActiveApiToken(pool, hash)
    if (found && isRole(found.role)) touch(found.id, found.lastUsedAt)
    return remember(key, found && isRole(found.role) ? { kind: 'token', id: found.id, name: found.name, role: found.role } : null)
  }

  const accessToken = async (token: string): Promise<Principal | null> => {
    const claims = await tokens.verify(token)
    if (!claims) return null
    const key = `s:${claims.sessionId}:${claims.userId}`
    const cached = cache.get(key)
    if (cached && cached.until > Date.now()) return cached.principal
    const found = await sessionPrincipal(pool, claims.sessionId, claims.userId)
    const principal: Principal | null =
      found && isRole(found.role) ? { kind: 'user', id: found.userId, name: found.username, role: found.role, sessionId: claims.sessionId } : null
    return remember(key, principal)
  }

  return {
    identify: async (authorization) => {
      if (authorization === undefined || authorization === '') return { principal: null, rejected: false }
      const bearer = BEARER.exec(authorization)
      if (!bearer) return { principal: null, rejected: true }
      const token = bearer[1]!
      const principal = looksLikeApiToken(token) ? await apiToken(token) : await accessToken(token)
      return { principal, rejected: principal === null }
    },
    invalidate: () => cache.clear()
  }
}
