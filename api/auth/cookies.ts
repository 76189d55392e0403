/**
 * The refresh token travels only in this cookie: httpOnly (no script can read it), SameSite=Strict
 * (never sent on cross-site requests), Secure over HTTPS, and scoped to the GraphQL endpoint.
 */
export const REFRESH_COOKIE = 'opc_refresh'
const PATH = '/graphql'

export const refreshCookie = (token: string, maxAgeSeconds: number, secure: boolean): string =>
  `${REFRESH_COOKIE}=${token}; Path=${PATH}; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`

export const clearedRefreshCookie = (secure: boolean): string =>
  `${REFRESH_COOKIE}=; Path=${PATH}; Max-Age=0; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`

/** One cookie's value from a `Cookie` header; malformed pairs are skipped. */
export const readCookie = (header: string | undefined, name: string): string | undefined => {
  if (!header) return undefined
  for (const part of header.split(';')) {
    const at = part.indexOf('=')
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim()
  }
  return undefined
}
