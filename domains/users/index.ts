import type { UserCommand } from './commands.ts'
import { userDecider } from './decider.ts'

export * from './commands.ts'
export * from './events.ts'
export * from './errors.ts'
export { userDecider, type UserState } from './decider.ts'
export { checkUsername, checkPasswordHash } from './validate.ts'

/** Users live on `ops.evt.user.<userId>`. Username uniqueness is the reservations aggregate's job. */
export const users = {
  kind: 'user',
  streamId: (c: UserCommand) => c.userId,
  decider: userDecider,
  startsStream: (c: UserCommand) => c.type === 'RegisterUser'
} as const

// Two small aggregates that belong to access management but not to one user's stream.
export * from './api-tokens/index.ts'
export * from './logins/index.ts'
