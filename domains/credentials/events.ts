import type { DomainEvent } from '../shared/index.ts'
import type { CredentialKind, SealedSecret } from './commands.ts'

export type CredentialCreated = DomainEvent<
  'CredentialCreated',
  { credentialId: string; name: string; kind: CredentialKind; username: string; secret: SealedSecret }
>
/** `previousKeyId` lets the vault destroy the superseded data key (crypto-shredding the old secret). */
export type CredentialRotated = DomainEvent<
  'CredentialRotated',
  { credentialId: string; username: string; secret: SealedSecret; previousKeyId: string }
>
/** `keyId` is the data key to destroy; `name` is the key to release in the reservations. */
export type CredentialDeleted = DomainEvent<'CredentialDeleted', { credentialId: string; name: string; keyId: string }>

export type CredentialEvent = CredentialCreated | CredentialRotated | CredentialDeleted
