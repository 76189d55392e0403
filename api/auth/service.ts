import type { Platform } from '../../runtime/platform.ts'
import { pruneSessions } from '../../projections/auth-sessions.ts'
import { pruneFailureStreaks } from '../../projections/read-models/login-throttle.ts'
import { accessTokens } from './access-tokens.ts'
import { makeLogin } from './login.ts'
import { principalResolver, type PrincipalResolver } from './principals.ts'
import { makeSessions } from './sessions.ts'
import { loginThrottle } from './throttle.ts'

export type AuthService = ReturnType<typeof makeSessions> & {
  readonly login: ReturnType<typeof makeLogin>['login']
  readonly principals: PrincipalResolver
  /** Resolves once the service is warmed up (the dummy hash exists), so the first login is not faster. */
  readonly ready: Promise<void>
  readonly close: () => void
}

const PRUNE_EVERY_MS = 60 * 60_000

/** Everything about who is calling: tokens, sessions, login and its throttle. */
export const authService = (platform: Platform, jwtKey: Uint8Array<ArrayBuffer>, warn: (message: string) => void): AuthService => {
  const tokens = accessTokens(jwtKey)
  const principals = principalResolver(platform.pool, tokens, warn)
  const throttle = loginThrottle(platform.pool)
  const { login, ready } = makeLogin(platform, tokens, throttle)
  const prune = () =>
    void Promise.all([pruneSessions(platform.pool), pruneFailureStreaks(platform.pool)]).catch((e: Error) => warn(`could not prune ended sessions: ${e.message}`))
  const timer = setInterval(prune, PRUNE_EVERY_MS)
  timer.unref()
  return { ...makeSessions(platform, tokens, principals, throttle), login, principals, ready, close: () => clearInterval(timer) }
}
