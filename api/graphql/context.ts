import type { Effect } from 'effect'
import type { CommandContext, CommandResult } from '../../commands/handler.ts'
import type { CommandError } from '../../commands/handler.ts'
import type { Platform, CommandServices } from '../../runtime/platform.ts'

export type Role = 'ADMIN' | 'OPERATOR' | 'VIEWER'

/** Who is calling: a logged-in user (access token) or an external system (API token). */
export interface Principal {
  readonly kind: 'user' | 'token'
  readonly id: string
  readonly name: string
  readonly role: Role
}

export interface RequestInfo {
  readonly ip: string
  readonly userAgent: string | undefined
}

/**
 * Runs one command (an Effect from `commands/`) on behalf of the caller: fills in the actor,
 * command id, time and origin, and turns tagged failures into GraphQL errors with a code.
 */
export type RunCommand = <A>(
  build: (context: CommandContext) => Effect.Effect<CommandResult<A>, CommandError, CommandServices>,
  options?: { readonly commandId?: string | null }
) => Promise<CommandResult<A>>

export interface ApiContext {
  readonly principal: Principal | null
  readonly request: RequestInfo
  readonly platform: Platform
  readonly runCommand: RunCommand
}
