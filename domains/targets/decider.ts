import { absurd, accept, firstInvalid, jsonEqual, optional, reject, type Decider, type Decision } from '../shared/index.ts'
import { DEFAULT_PORTS, type RegisterTarget, type TargetCommand, type UpdateTarget } from './commands.ts'
import { connectionMismatch, targetAlreadyRegistered, targetAlreadyRemoved, targetNotFound, targetRenamedMeanwhile, type TargetRejection } from './errors.ts'
import type { TargetEvent, TargetUpdated } from './events.ts'
import { assignCredential, pinHostKey, removeTarget, tagTarget, untagTarget } from './decide-existing.ts'
import { evolve, initialState, isTerminal, type ActiveTarget, type TargetState } from './state.ts'
import {
  checkAddress,
  checkAttributes,
  checkConnection,
  checkCredentialId,
  checkLocalHasNoPortOrCredential,
  checkName,
  checkPort,
  checkTags,
  checkTargetId,
  normalizeAttributes,
  normalizeTags
} from './validate.ts'

export { evolve, initialState, isTerminal, type TargetState } from './state.ts'

export type TargetDecision = Decision<TargetEvent, TargetRejection>

const register = (command: RegisterTarget, state: TargetState): TargetDecision => {
  const fault = firstInvalid(
    checkTargetId(command.targetId),
    checkName(command.name),
    checkAddress(command.address),
    checkConnection(command.connection),
    optional(command.port, checkPort(command.port)),
    optional(command.credentialId, checkCredentialId(command.credentialId)),
    optional(command.tags, checkTags(command.tags)),
    optional(command.attributes, checkAttributes(command.attributes)),
    () => checkLocalHasNoPortOrCredential(command.connection, command.port, command.credentialId)
  )
  if (fault) return reject(fault)
  const data = {
    targetId: command.targetId,
    name: command.name,
    address: command.address,
    port: command.port ?? DEFAULT_PORTS[command.connection],
    connection: command.connection,
    credentialId: command.credentialId ?? null,
    tags: normalizeTags(command.tags ?? []),
    attributes: normalizeAttributes(command.attributes ?? {})
  }
  if (state.status === 'removed') return reject(targetAlreadyRemoved(command.targetId))
  if (state.status === 'active') {
    const { targetId, name, address, port, connection, credentialId, tags, attributes } = state
    const current = { targetId, name, address, port, connection, credentialId, tags, attributes }
    return jsonEqual(current, data) ? accept() : reject(targetAlreadyRegistered(targetId, name))
  }
  return accept({ type: 'TargetRegistered', data })
}

/** Where the port lands: explicit, the new connection's default, or unchanged. */
const nextPort = (command: UpdateTarget, target: ActiveTarget, connection: ActiveTarget['connection']): number | null => {
  if (command.port !== undefined) return command.port ?? DEFAULT_PORTS[connection]
  const onDefault = target.port === DEFAULT_PORTS[target.connection]
  return connection !== target.connection && (onDefault || connection === 'LOCAL') ? DEFAULT_PORTS[connection] : target.port
}

const update = (command: UpdateTarget, target: ActiveTarget): TargetDecision => {
  if (command.expectedName !== undefined && command.expectedName.toLowerCase() !== target.name.toLowerCase())
    return reject(targetRenamedMeanwhile(command.expectedName, target.name))
  const connection = command.connection ?? target.connection
  const fault = firstInvalid(
    optional(command.name, checkName(command.name)),
    optional(command.address, checkAddress(command.address)),
    optional(command.connection, checkConnection(command.connection)),
    optional(command.port, checkPort(command.port)),
    optional(command.attributes, checkAttributes(command.attributes)),
    () => checkLocalHasNoPortOrCredential(connection, command.port, null)
  )
  if (fault) return reject(fault)
  if (connection === 'LOCAL' && target.credentialId !== null)
    return reject(connectionMismatch('connection', 'unassign the credential before turning the target into a LOCAL one'))
  const port = nextPort(command, target, connection)
  const changes: TargetUpdated['data'] = {
    targetId: target.targetId,
    ...(command.name !== undefined && command.name !== target.name ? { name: command.name } : {}),
    ...(command.address !== undefined && command.address !== target.address ? { address: command.address } : {}),
    ...(port !== target.port ? { port } : {}),
    ...(connection !== target.connection ? { connection } : {}),
    ...(command.attributes !== undefined && !jsonEqual(command.attributes, target.attributes)
      ? { attributes: normalizeAttributes(command.attributes) }
      : {})
  }
  return Object.keys(changes).length === 1 ? accept() : accept({ type: 'TargetUpdated', data: changes })
}

/** Everything but RegisterTarget acts on an active target. */
const onActive = (targetId: string, state: TargetState, then: (target: ActiveTarget) => TargetDecision): TargetDecision => {
  const fault = checkTargetId(targetId)()
  if (fault) return reject(fault)
  if (state.status === 'absent') return reject(targetNotFound(targetId))
  if (state.status === 'removed') return reject(targetAlreadyRemoved(targetId))
  return then(state)
}

export const decide = (command: TargetCommand, state: TargetState): TargetDecision => {
  switch (command.type) {
    case 'RegisterTarget':
      return register(command, state)
    case 'UpdateTarget':
      return onActive(command.targetId, state, (target) => update(command, target))
    case 'TagTarget':
      return onActive(command.targetId, state, (target) => tagTarget(command, target))
    case 'UntagTarget':
      return onActive(command.targetId, state, (target) => untagTarget(command, target))
    case 'AssignCredential':
      return onActive(command.targetId, state, (target) => assignCredential(command, target))
    case 'PinHostKey':
      return onActive(command.targetId, state, (target) => pinHostKey(command, target))
    case 'RemoveTarget':
      // Removing twice leaves the target removed: a no-op rather than a conflict.
      return state.status === 'removed' ? accept() : onActive(command.targetId, state, removeTarget)
    default:
      return absurd(command)
  }
}

export const targetDecider: Decider<TargetCommand, TargetEvent, TargetState, TargetRejection> = { initialState, evolve, decide, isTerminal }
