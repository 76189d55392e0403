import { Effect } from 'effect'
import { credentials } from '../domains/credentials/index.ts'
import { notFound } from '../domains/shared/index.ts'
import {
  checkCredentialFitsConnection,
  targetDecider,
  targets,
  type ConnectionKind,
  type RegisterTarget,
  type TargetCommand,
  type TargetState,
  type UpdateTarget
} from '../domains/targets/index.ts'
import { Rejected } from './errors.ts'
import { handleCommand, loadState, refreshState, type CommandContext } from './handler.ts'
import { idFromCommand } from './ids.ts'
import { releaseKey, reserveKey } from './unique-keys.ts'

export type RegisterTargetInput = Omit<RegisterTarget, 'type' | 'targetId' | 'at'>
export type UpdateTargetInput = Omit<UpdateTarget, 'type' | 'at'>

const nameKey = (name: string) => name.toLowerCase()

const targetStillNamed = (targetId: string, key: string) =>
  loadState(targets, targetId, true).pipe(
    Effect.map((s) => (s.status === 'absent' ? 'absent' : s.status === 'active' && nameKey(s.name) === key ? 'uses' : 'released') as 'uses' | 'released' | 'absent'),
    Effect.orElseSucceed(() => 'uses' as const)
  )

/** A credential a target points at must exist and fit the connection (no SSH key for WinRM). */
const checkCredential = (credentialId: string | null | undefined, connection: ConnectionKind) =>
  Effect.gen(function* () {
    if (!credentialId) return
    // Caught up with the bus: a credential deleted by another process a moment ago must not be assigned.
    const credential = yield* refreshState(credentials, credentialId)
    if (credential.status !== 'active') {
      return yield* Effect.fail(new Rejected({ rejection: { ...notFound('credential', credentialId), field: 'credentialId' } }))
    }
    const misfit = checkCredentialFitsConnection(connection, credential.kind)
    if (misfit) return yield* Effect.fail(new Rejected({ rejection: misfit }))
  })

/** Validates without side effects, so a bad input never leaves a reservation behind. */
const dryRun = (command: TargetCommand, state: TargetState) => {
  const decision = targetDecider.decide(command, state)
  return decision.ok ? Effect.void : Effect.fail(new Rejected({ rejection: decision.rejection }))
}

export const registerTarget = (input: RegisterTargetInput, context: CommandContext) =>
  Effect.gen(function* () {
    const targetId = idFromCommand(context.commandId, 'target')
    const command: RegisterTarget = { ...input, type: 'RegisterTarget', targetId, at: context.now }
    yield* dryRun(command, targetDecider.initialState)
    yield* checkCredential(input.credentialId, input.connection)
    yield* reserveKey('target-name', nameKey(input.name), targetId, targetStillNamed, context)
    return yield* handleCommand(targets, command, context)
  })

/**
 * A rename reserves the new name first and releases the old one after. Both are decided on the
 * name the target has now (caught up with the bus, not a cached one), and the update carries
 * that name: if another process renamed the target in between, the update is refused instead
 * of leaving a name in use unreserved.
 */
export const updateTarget = (input: UpdateTargetInput, context: CommandContext) =>
  Effect.gen(function* () {
    const before = yield* refreshState(targets, input.targetId)
    const command: UpdateTarget = {
      ...input,
      type: 'UpdateTarget',
      at: context.now,
      ...(before.status === 'active' && input.name !== undefined ? { expectedName: before.name } : {})
    }
    yield* dryRun(command, before)
    if (before.status !== 'active') return yield* handleCommand(targets, command, context)
    const renamed = input.name !== undefined && nameKey(input.name) !== nameKey(before.name)
    if (renamed) yield* reserveKey('target-name', nameKey(input.name!), input.targetId, targetStillNamed, context)
    const result = yield* handleCommand(targets, command, context)
    // A replay (the same command id again, say after a lost answer) changed nothing now: the name
    // it would release may be the one the target uses today.
    if (renamed && !result.replayed) yield* releaseKey('target-name', nameKey(before.name), input.targetId, context)
    return result
  })

export const assignCredential = (targetId: string, credentialId: string | null, context: CommandContext) =>
  Effect.gen(function* () {
    const target = yield* refreshState(targets, targetId)
    if (target.status === 'active') yield* checkCredential(credentialId, target.connection)
    return yield* handleCommand(targets, { type: 'AssignCredential', targetId, credentialId, at: context.now }, context)
  })

export const tagTarget = (targetId: string, tags: ReadonlyArray<string>, context: CommandContext) =>
  handleCommand(targets, { type: 'TagTarget', targetId, tags, at: context.now }, context)

export const untagTarget = (targetId: string, tags: ReadonlyArray<string>, context: CommandContext) =>
  handleCommand(targets, { type: 'UntagTarget', targetId, tags, at: context.now }, context)

export const removeTarget = (targetId: string, context: CommandContext) =>
  Effect.gen(function* () {
    const before = yield* refreshState(targets, targetId)
    const result = yield* handleCommand(targets, { type: 'RemoveTarget', targetId, at: context.now }, context)
    if (before.status === 'active' && !result.replayed) yield* releaseKey('target-name', nameKey(before.name), targetId, context)
    return result
  })

