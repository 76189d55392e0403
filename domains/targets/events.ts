import type { DomainEvent } from '../shared/index.ts'
import type { ConnectionKind } from './commands.ts'

/** Tags are sorted and unique; attribute keys are sorted, so equal targets give equal events. */
export type TargetRegistered = DomainEvent<
  'TargetRegistered',
  {
    targetId: string
    name: string
    address: string
    port: number | null
    connection: ConnectionKind
    credentialId: string | null
    tags: string[]
    attributes: Record<string, string>
  }
>
/** Only the fields that changed are present. */
export type TargetUpdated = DomainEvent<
  'TargetUpdated',
  {
    targetId: string
    name?: string
    address?: string
    port?: number | null
    connection?: ConnectionKind
    attributes?: Record<string, string>
  }
>
/** `tags`: only those actually added / removed, sorted. */
export type TargetTagged = DomainEvent<'TargetTagged', { targetId: string; tags: string[] }>
export type TargetUntagged = DomainEvent<'TargetUntagged', { targetId: string; tags: string[] }>
export type TargetCredentialAssigned = DomainEvent<'TargetCredentialAssigned', { targetId: string; credentialId: string }>
export type TargetCredentialUnassigned = DomainEvent<'TargetCredentialUnassigned', { targetId: string; credentialId: string }>
export type TargetHostKeyPinned = DomainEvent<'TargetHostKeyPinned', { targetId: string; hostKey: string; previousHostKey: string | null }>
/** `name` is carried so the name reservation can be released without another read. */
export type TargetRemoved = DomainEvent<'TargetRemoved', { targetId: string; name: string }>

export type TargetEvent =
  | TargetRegistered
  | TargetUpdated
  | TargetTagged
  | TargetUntagged
  | TargetCredentialAssigned
  | TargetCredentialUnassigned
  | TargetHostKeyPinned
  | TargetRemoved
