import { Effect } from 'effect'
import { invalidInput } from '../domains/shared/index.ts'
import { logins, userNotFound, users, type LoginFailureReason, type SessionRevocationReason } from '../domains/users/index.ts'
import { Rejected } from './errors.ts'
import { handleCommand, loadState, type CommandContext } from './handler.ts'
import { keyDigest } from './ids.ts'
import { PasswordHasher } from './secrets.ts'
import { changeUserPassword } from './users.ts'

/** The stream id of a username's sign-in history (usernames arrive normalised). */
export const loginIdOf = (username: string): string => keyDigest('login', username)

export const recordLoginFailure = (input: { username: string; userId: string | null; reason: LoginFailureReason }, context: CommandContext) =>
  handleCommand(logins, { type: 'RecordLoginFailure', loginId: loginIdOf(input.username), ...input, at: context.now }, context)

export const recordLoginSuccess = (input: { username: string; userId: string }, context: CommandContext) =>
  handleCommand(logins, { type: 'RecordLoginSuccess', loginId: loginIdOf(input.username), ...input, at: context.now }, context)

export const recordSessionsRevoked = (
  input: { username: string; userId: string; scope: 'session' | 'all'; reason: SessionRevocationReason },
  context: CommandContext
) => handleCommand(logins, { type: 'RecordSessionsRevoked', loginId: loginIdOf(input.username), ...input, at: context.now }, context)

const refuse = (field: string, message: string) => Effect.fail(new Rejected({ rejection: invalidInput(field, message) }))

/** The domain names the new password `password`; here the caller typed it as `newPassword`. */
const asNewPassword = (error: unknown) =>
  error instanceof Rejected && error.rejection.field === 'password'
    ? new Rejected({ rejection: { ...error.rejection, field: 'newPassword', message: error.rejection.message.replace(/^password:/, 'newPassword:') } })
    : error

/**
 * A user changes their own password: the current one is verified against the user's own stream
 * (not a projection that might lag), then the new one is hashed and stored.
 */
export const WRONG_OLD_PASSWORD = 'is not your current password'

export const changeOwnPassword = (userId: string, oldPassword: string, newPassword: string, context: CommandContext) =>
  Effect.gen(function* () {
    if (oldPassword.length === 0) return yield* refuse('oldPassword', 'must not be empty')
    if (oldPassword.length > 1024) return yield* refuse('oldPassword', 'must be at most 1024 characters')
    const user = yield* loadState(users, userId, true)
    if (user.status !== 'active') return yield* Effect.fail(new Rejected({ rejection: userNotFound(userId) }))
    const matches = yield* (yield* PasswordHasher).verify(user.passwordHash, oldPassword)
    if (!matches) return yield* refuse('oldPassword', WRONG_OLD_PASSWORD)
    if (newPassword === oldPassword) return yield* refuse('newPassword', 'must differ from the current password')
    return yield* changeUserPassword(userId, newPassword, context).pipe(Effect.mapError((e) => asNewPassword(e) as typeof e))
  })
