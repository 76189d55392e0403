import { hkdfSync } from 'node:crypto'
import { jwtVerify, SignJWT } from 'jose'

/** Access tokens are short-lived: revocation is also checked per request, this bounds a leaked token. */
export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60
const ISSUER = 'opsconductor'
const AUDIENCE = 'opsconductor-api'

/**
 * The HS256 key: derived (HKDF-SHA256) from OPS_JWT_SECRET when set, else from the master key,
 * so every API replica of one installation agrees without another secret to distribute, and the
 * master key itself never signs anything.
 */
export const deriveJwtKey = (masterKey: Buffer, configuredSecret?: string): Uint8Array<ArrayBuffer> =>
  new Uint8Array(hkdfSync('sha256', configuredSecret ? Buffer.from(configuredSecret, 'utf8') : masterKey, 'opsconductor', 'access-token-hs256', 32))

export interface AccessClaims {
  readonly userId: string
  /** The refresh-session family; revoking it invalidates the access token at once. */
  readonly sessionId: string
}

export interface AccessTokens {
  readonly sign: (claims: AccessClaims) => Promise<{ token: string; expiresAt: Date }>
  /** The claims of a valid, unexpired token of ours; null for anything else. */
  readonly verify: (token: string) => Promise<AccessClaims | null>
}

// A verified token's claims, kept until it expires: a busy client sends the same token again and
// again, and an HMAC check through WebCrypto costs more than the rest of a small request.
const VERIFIED_MAX = 10_000

export const accessTokens = (secret: Uint8Array<ArrayBuffer>): AccessTokens => {
  // Imported once: given raw bytes, jose would import the key again on every call.
  const key = crypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify'])
  const verified = new Map<string, { claims: AccessClaims; until: number }>()
  return {
    sign: async ({ userId, sessionId }) => {
      const now = Math.floor(Date.now() / 1000)
      const token = await new SignJWT({ sid: sessionId })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(userId)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt(now)
        .setExpirationTime(now + ACCESS_TOKEN_TTL_SECONDS)
        .sign(await key)
      return { token, expiresAt: new Date((now + ACCESS_TOKEN_TTL_SECONDS) * 1000) }
    },
    verify: async (token) => {
      const known = verified.get(token)
      if (known && known.until > Date.now()) return known.claims
      try {
        const { payload } = await jwtVerify(token, await key, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] })
        if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string' || typeof payload.exp !== 'number') return null
        const claims = { userId: payload.sub, sessionId: payload.sid }
        if (verified.size >= VERIFIED_MAX) verified.clear()
        verified.set(token, { claims, until: payload.exp * 1000 })
        return claims
      } catch {
        return null
      }
    }
  }
}
