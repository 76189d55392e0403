import { accept, invalidInput, reject, type Decision } from '../shared/index.ts'
import type { AssignCredential, PinHostKey, TagTarget, UntagTarget } from './commands.ts'
import { connectionMismatch, hostKeyMismatch, type TargetRejection } from './errors.ts'
import type { TargetEvent } from './events.ts'
import type { ActiveTarget } from './state.ts'
import { MAX_TAGS, checkCredentialId, checkHostKey, checkTags, normalizeTags } from './validate.ts'

/** The small commands on an existing, active target; RegisterTarget and UpdateTarget are in decider.ts. */
type TargetDecision = Decision<TargetEvent, TargetRejection>

export const tagTarget = (command: TagTarget, target: ActiveTarget): TargetDecision => {
  const fault = checkTags(command.tags)()
  if (fault) return reject(fault)
  const added = normalizeTags(command.tags).filter((tag) => !target.tags.includes(tag))
  if (added.length === 0) return accept()
  const total = target.tags.length + added.length
  if (total > MAX_TAGS) return reject(invalidInput('tags', `a target holds at most ${MAX_TAGS} tags (this would make ${total})`))
  return accept({ type: 'TargetTagged', data: { targetId: target.targetId, tags: added } })
}

export const untagTarget = (command: UntagTarget, target: ActiveTarget): TargetDecision => {
  const fault = checkTags(command.tags)()
  if (fault) return reject(fault)
  const removed = normalizeTags(command.tags).filter((tag) => target.tags.includes(tag))
  return removed.length === 0 ? accept() : accept({ type: 'TargetUntagged', data: { targetId: target.targetId, tags: removed } })
}

export const assignCredential = (command: AssignCredential, target: ActiveTarget): TargetDecision => {
  const { credentialId } = command
  if (credentialId === null || credentialId === undefined) {
    if (target.credentialId === null) return accept()
    return accept({ type: 'TargetCredentialUnassigned', data: { targetId: target.targetId, credentialId: target.credentialId } })
  }
  const fault = checkCredentialId(credentialId)()
  if (fault) return reject(fault)
  if (target.connection === 'LOCAL')
    return reject(connectionMismatch('credentialId', 'LOCAL targets run on the worker itself and take no credential'))
  if (target.credentialId === credentialId) return accept()
  return accept({ type: 'TargetCredentialAssigned', data: { targetId: target.targetId, credentialId } })
}

/** Trust on first use: the first key is pinned; a different one later is refused unless replaced on purpose. */
export const pinHostKey = (command: PinHostKey, target: ActiveTarget): TargetDecision => {
  const fault = checkHostKey(command.hostKey)()
  if (fault) return reject(fault)
  if (target.connection !== 'SSH')
    return reject(connectionMismatch('hostKey', `only SSH targets have host keys (this one is ${target.connection})`))
  if (target.hostKey === command.hostKey) return accept()
  if (target.hostKey !== null && command.replace !== true) return reject(hostKeyMismatch(target.name, target.hostKey, command.hostKey))
  return accept({ type: 'TargetHostKeyPinned', data: { targetId: target.targetId, hostKey: command.hostKey, previousHostKey: target.hostKey } })
}

export const removeTarget = (target: ActiveTarget): TargetDecision =>
  accept({ type: 'TargetRemoved', data: { targetId: target.targetId, name: target.name } })
