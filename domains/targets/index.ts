import type { TargetCommand } from './commands.ts'
import { targetDecider } from './decider.ts'

export * from './commands.ts'
export * from './events.ts'
export * from './errors.ts'
export { targetDecider, type TargetState } from './decider.ts'
export { checkAddress, checkCredentialFitsConnection, normalizeTags } from './validate.ts'

/** Targets live on `ops.evt.target.<targetId>`; name uniqueness is a reservation. */
export const targets = {
  kind: 'target',
  streamId: (c: TargetCommand) => c.targetId,
  decider: targetDecider,
  startsStream: (c: TargetCommand) => c.type === 'RegisterTarget'
} as const
