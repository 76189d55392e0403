import { randomUUID } from 'node:crypto'
import { Effect } from 'effect'
import type { Actor } from '../../domains/shared/index.ts'
import type { Platform } from '../../runtime/platform.ts'
import type { ApiContext, Principal, RequestInfo, RunCommand } from './context.ts'
import { badInput, fromCommandError } from './errors.ts'

const CLIENT_KEY = /^[A-Za-z0-9._:-]{1,100}$/

/** Who the events of a request are by, and from where (the user agent bounded, as it is free text). */
export const actorOf = (principal: Pick<Principal, 'kind' | 'id' | 'name'> | null, request: RequestInfo): Actor => ({
  ...(principal ? { kind: principal.kind, id: principal.id, name: principal.name } : { kind: 'system', id: 'anonymous', name: 'anonymous' }),
  ip: request.ip,
  ...(request.userAgent ? { userAgent: request.userAgent.slice(0, 256) } : {})
})

/**
 * The command id: the client's `commandId` argument, else its `Idempotency-Key` header plus the
 * mutation's response key (one request may hold several mutations), else a fresh UUID. Client
 * keys are prefixed with the caller's id, so two callers choosing the same key never collide
 * (created ids derive from the command id).
 */
const commandIdFor = (principal: Principal | null, request: RequestInfo, commandId: string | null | undefined, field: string | undefined): string => {
  const scope = principal ? `${principal.kind}:${principal.id}` : 'anonymous'
  if (commandId !== undefined && commandId !== null) {
    if (!CLIENT_KEY.test(commandId)) throw badInput('commandId', 'must be 1–100 characters of letters, digits, ".", "_", ":" and "-"')
    return `${scope}:${commandId}`
  }
  const key = request.idempotencyKey
  if (key !== undefined && field !== undefined) {
    if (!CLIENT_KEY.test(key)) throw badInput('Idempotency-Key', 'must be 1–100 characters of letters, digits, ".", "_", ":" and "-"')
    return `${scope}:${key}/${field}`
  }
  return randomUUID()
}

export const makeRunCommand =
  (platform: Platform, principal: Principal | null, request: RequestInfo, warnings: ApiContext['warnings']): RunCommand =>
  async (build, options = {}) => {
    const context = {
      commandId: commandIdFor(principal, request, options.commandId, options.field),
      actor: options.actor ?? actorOf(principal, request),
      now: new Date().toISOString()
    }
    const outcome = await platform.commands.runPromise(Effect.result(build(context)))
    if (outcome._tag === 'Failure') throw fromCommandError(outcome.failure)
    const result = outcome.success
    if (!result.durable && result.position > 0)
      warnings.push({
        code: 'NOT_YET_DURABLE',
        message: `the change was accepted (position ${result.position}) but is not yet stored durably; it may briefly be missing from queries`
      })
    return result
  }
