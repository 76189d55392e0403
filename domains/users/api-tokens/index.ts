import type { ApiTokenCommand } from './commands.ts'
import { apiTokenDecider } from './decider.ts'

export * from './commands.ts'
export * from './events.ts'
export * from './errors.ts'
export { apiTokenDecider, type ApiTokenState } from './decider.ts'

/** API tokens live on `ops.evt.apitoken.<tokenId>`, apart from users: they belong to no user. */
export const apiTokens = { kind: 'apitoken', streamId: (c: ApiTokenCommand) => c.tokenId, decider: apiTokenDecider } as const
