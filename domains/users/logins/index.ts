import type { LoginCommand } from './commands.ts'
import { loginDecider } from './decider.ts'

export * from './commands.ts'
export * from './events.ts'
export * from './errors.ts'
export * from './throttle.ts'
export { loginDecider, type LoginState } from './decider.ts'

/** One stream per username: `ops.evt.login.<digest of the username>`. */
export const logins = { kind: 'login', streamId: (c: LoginCommand) => c.loginId, decider: loginDecider } as const
