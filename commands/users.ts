import { Effect } from 'effect'
import { invalidInput } from '../domains/shared/index.ts'
import { users, type Role } from '../domains/users/index.ts'
import { Rejected } from './errors.ts'
import { handleCommand, loadState, type CommandContext } from './handler.ts'
import { idFromCommand } from './ids.ts'
import { PasswordHasher } from './secrets.ts'
import { reserveKey } from './unique-keys.ts'

export interface RegisterUserInput {
  readonly username: string
  readonly password: string
  readonly role: Role
}

/** Checked before hashing so that a bad password costs nothing and says why. */
const checkPassword = (password: unknown) => {
  if (typeof password !== 'string') return invalidInput('password', 'must be a string')
  if (password.length < 8) return invalidInput('password', 'must be at least 8 characters')
  if (password.length > 1024) return invalidInput('password', 'must be at most 1024 characters')
  return undefined
}

export const normalizeUsername = (username: string): string => username.trim().toLowerCase()

const userStillExists = (userId: string) =>
  loadState(users, userId, true).pipe(
    // Users are never deleted: a registered user keeps its name for good.
    Effect.map((s) => (s.status === 'absent' ? 'absent' : 'uses') as 'uses' | 'released' | 'absent'),
    Effect.orElseSucceed(() => 'uses' as const)
  )

export const registerUser = (input: RegisterUserInput, context: CommandContext) =>
  Effect.gen(function* () {
    const userId = idFromCommand(context.commandId, 'user')
    const username = normalizeUsername(String(input.username ?? ''))
    const weak = checkPassword(input.password)
    if (weak) return yield* Effect.fail(new Rejected({ rejection: weak }))
    // Validate everything but the hash with a placeholder first: no hashing, no reservation
    // for input that will be refused anyway.
    const probe = users.decider.decide(
      { type: 'RegisterUser', userId, username, passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$probe$probe', role: input.role, at: context.now },
      users.decider.initialState
    )
    if (!probe.ok) return yield* Effect.fail(new Rejected({ rejection: probe.rejection }))
    const hasher = yield* PasswordHasher
    const passwordHash = yield* hasher.hash(input.password)
    yield* reserveKey('username', username, userId, userStillExists, context)
    return yield* handleCommand(users, { type: 'RegisterUser', userId, username, passwordHash, role: input.role, at: context.now }, context)
  })

export const changeUserPassword = (userId: string, password: string, context: CommandContext) =>
  Effect.gen(function* () {
    const weak = checkPassword(password)
    if (weak) return yield* Effect.fail(new Rejected({ rejection: weak }))
    const passwordHash = yield* (yield* PasswordHasher).hash(password)
    return yield* handleCommand(users, { type: 'ChangeUserPassword', userId, passwordHash, at: context.now }, context)
  })

export const changeUserRole = (userId: string, role: Role, context: CommandContext) =>
  handleCommand(users, { type: 'ChangeUserRole', userId, role, at: context.now }, context)

export const disableUser = (userId: string, context: CommandContext) => handleCommand(users, { type: 'DisableUser', userId, at: context.now }, context)

export const enableUser = (userId: string, context: CommandContext) => handleCommand(users, { type: 'EnableUser', userId, at: context.now }, context)
