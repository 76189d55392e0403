import type { Effect } from 'effect'
import type { Actor } from '../../domains/shared/index.ts'
import type { CommandContext, CommandResult } from '../../commands/handler.ts'
import type { CommandError } from '../../commands/handler.ts'
import type { Platform, CommandServices } from '../../runtime/platform.ts'
import type { AuthService } from '../auth/service.ts'
import type { Loaders } from './loaders.ts'
import type { OutputBudget } from '../execution-output.ts'

export type Role = 'ADMIN' | 'OPERATOR' | 'VIEWER'

/** Who is calling: a logged-in user (access token) or an external system (API token). */
export interface Principal {
  readonly kind: 'user' | 'token'
  readonly id: string
  readonly name: string
  readonly role: Role
  /** The refresh-session family an access token belongs to (users only). */
  readonly sessionId?: string
}

export interface RequestInfo {
  readonly ip: string
  readonly userAgent: string | undefined
  /** The request came over HTTPS (directly or through a trusted proxy): cookies get `Secure`. */
  readonly secure: boolean
  /** The `Idempotency-Key` header, when sent: the command id of a single mutation. */
  readonly idempotencyKey: string | undefined
  readonly cookie: (name: string) => string | undefined
  readonly setCookie: (value: string) => void
}

/**
 * Runs one command (an Effect from `commands/`) on behalf of the caller: fills in the actor,
 * command id, time and origin, and turns tagged failures into GraphQL errors with a code.
 */
export type RunCommand = <R extends CommandResult<unknown>>(
  build: (context: CommandContext) => Effect.Effect<R, CommandError, CommandServices>,
  options?: {
    /** The client's `commandId` argument; scoped to the caller so two callers' ids never meet. */
    readonly commandId?: string | null
    /** The mutation's response key: with an `Idempotency-Key` header, the command id derives from both. */
    readonly field?: string
    /** Acting as someone else than the caller (login records its success as the user). */
    readonly actor?: Actor
  }
) => Promise<R>

export interface ApiContext {
  readonly principal: Principal | null
  /** A credential was sent but did not check out (expired, revoked, unknown). */
  readonly credentialsRejected: boolean
  readonly request: RequestInfo
  readonly platform: Platform
  readonly runCommand: RunCommand
  readonly auth: AuthService
  readonly loaders: Loaders
  /**
   * Looks the caller's credentials up again: a subscription outlives the access token that
   * started it, and must end once that token expires or is revoked, or the user is disabled.
   */
  readonly reidentify: () => Promise<Principal | null>
  /** How often a running subscription calls `reidentify`. */
  readonly recheckMs: number
  /** Job output this answer may still carry (TargetRun.output). */
  readonly outputBudget: OutputBudget
  /** Notes for the answer's `extensions.warnings` (e.g. a change accepted but not yet durable). */
  readonly warnings: Array<{ readonly code: string; readonly message: string }>
}
