import type { InvalidInput, Rejection } from '../shared/index.ts'

export interface TargetNotFound extends Rejection<'TargetNotFound'> {}
export const targetNotFound = (targetId: string): TargetNotFound => ({
  _tag: 'TargetNotFound',
  category: 'missing',
  message: `target ${targetId} does not exist`
})

export interface TargetAlreadyRegistered extends Rejection<'TargetAlreadyRegistered'> {}
export const targetAlreadyRegistered = (targetId: string, name: string): TargetAlreadyRegistered => ({
  _tag: 'TargetAlreadyRegistered',
  category: 'conflict',
  message: `target ${targetId} is already registered (as ${JSON.stringify(name)}) with other data`
})

export interface TargetAlreadyRemoved extends Rejection<'TargetAlreadyRemoved'> {}
export const targetAlreadyRemoved = (targetId: string): TargetAlreadyRemoved => ({
  _tag: 'TargetAlreadyRemoved',
  category: 'conflict',
  message: `target ${targetId} was removed`
})

export interface TargetRenamedMeanwhile extends Rejection<'TargetRenamedMeanwhile'> {}
export const targetRenamedMeanwhile = (expected: string, actual: string): TargetRenamedMeanwhile => ({
  _tag: 'TargetRenamedMeanwhile',
  category: 'conflict',
  field: 'name',
  message: `name: the target was renamed from ${JSON.stringify(expected)} to ${JSON.stringify(actual)} meanwhile; try again`
})

/** A different SSH host key than the pinned one: possibly a man in the middle, so never silent. */
export interface HostKeyMismatch extends Rejection<'HostKeyMismatch'> {}
export const hostKeyMismatch = (name: string, pinned: string, offered: string): HostKeyMismatch => ({
  _tag: 'HostKeyMismatch',
  category: 'conflict',
  field: 'hostKey',
  message: `hostKey: target ${JSON.stringify(name)} has host key ${pinned} pinned, not ${offered}; pin again with replace to accept the new key`
})

/** The command makes no sense for the target's connection (a credential on LOCAL, a host key on WinRM). */
export interface ConnectionMismatch extends Rejection<'ConnectionMismatch'> {}
export const connectionMismatch = (field: string, message: string): ConnectionMismatch => ({
  _tag: 'ConnectionMismatch',
  category: 'conflict',
  field,
  message: `${field}: ${message}`
})

export type TargetRejection = InvalidInput | TargetNotFound | TargetAlreadyRegistered | TargetAlreadyRemoved | HostKeyMismatch | ConnectionMismatch | TargetRenamedMeanwhile
