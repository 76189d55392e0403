import { actorOf } from '../graphql/run-command.ts'
import { randomBytes } from 'node:crypto'
import { Effect } from 'effect'
import { loginIdOf, recordLoginFailure, recordLoginSuccess } from '../../commands/auth.ts'
import { PasswordHasher } from '../../commands/secrets.ts'
import { normalizeUsername } from '../../commands/users.ts'
import { checkUsername, type LoginFailureReason } from '../../domains/users/index.ts'
import { findLoginCandidate, type UserView } from '../../projections/queries/users.ts'
import type { Platform } from '../../runtime/platform.ts'
import type { ApiContext } from '../graphql/context.ts'
import { apiError, badInput } from '../graphql/errors.ts'
import type { AccessTokens } from './access-tokens.ts'
import { startSession } from './session-tokens.ts'
import { beginPasswordCheck, type LoginThrottle } from './throttle.ts'

export interface AuthPayloadData {
  readonly accessToken: string
  readonly expiresAt: Date
  readonly user: UserView
}

const INVALID_LOGIN = 'invalid username or password'

/**
 * login: throttle → look the user up → verify with argon2id → record the outcome as an event →
 * open a session. Unknown and disabled users are verified against a dummy hash made with the
 * same parameters, and take the same path otherwise, so the answer time does not tell whether
 * a username exists. The answer never says which check failed; the event does, for the audit log.
 */
export const makeLogin = (platform: Platform, tokens: AccessTokens, throttle: LoginThrottle) => {
  const verify = (hash: string, password: string) =>
    platform.commands.runPromise(Effect.gen(function* () {
      return yield* (yield* PasswordHasher).verify(hash, password)
    }))
  // Computed once per process, ahead of the first login so that one is not slower either.
  const dummyHash = platform.commands.runPromise(Effect.gen(function* () {
    return yield* (yield* PasswordHasher).hash(randomBytes(24).toString('base64url'))
  }))

  const decode = (username: string, password: string) => {
    const name = normalizeUsername(username)
    const fault = checkUsername(name)()
    if (fault) throw badInput('username', fault.message.replace(/^username: /, ''))
    if (password.length === 0) throw badInput('password', 'must not be empty')
    if (password.length > 1024) throw badInput('password', 'must be at most 1024 characters')
    return name
  }

  const login = async (ctx: ApiContext, username: string, password: string): Promise<AuthPayloadData> => {
    const name = decode(username, password)
    const loginId = loginIdOf(name)
    const done = await beginPasswordCheck(throttle, loginId, ctx.request.ip)
    try {
      const candidate = await findLoginCandidate(platform.pool, name)
      const usable = candidate !== null && !candidate.user.disabled
      const matches = await verify(usable ? candidate.passwordHash : await dummyHash, password)
      if (!usable || !matches) {
        const reason: LoginFailureReason = !candidate ? 'unknown-user' : candidate.user.disabled ? 'user-disabled' : 'wrong-password'
        await ctx.runCommand((c) => recordLoginFailure({ username: name, userId: candidate?.user.id ?? null, reason }, c))
        throw apiError('UNAUTHENTICATED', INVALID_LOGIN)
      }
      const { user } = candidate
      const actor = actorOf({ kind: 'user', id: user.id, name: user.username }, ctx.request)
      await ctx.runCommand((c) => recordLoginSuccess({ username: name, userId: user.id }, c), { actor })
      const session = await startSession(platform.pool, tokens, ctx, user.id)
      return { ...session, user }
    } finally {
      done()
    }
  }

  return { login, ready: dummyHash.then(() => undefined) }
}
