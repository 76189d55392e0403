import type { DomainEvent } from '../../shared/index.ts'
import type { Role } from '../commands.ts'

/** `tokenHash` is the SHA-256 of the token (hex); the token itself is shown once and never stored. */
export type ApiTokenCreated = DomainEvent<
  'ApiTokenCreated',
  { tokenId: string; name: string; role: Role; tokenHash: string; expiresAt: string | null }
>
export type ApiTokenRevoked = DomainEvent<'ApiTokenRevoked', { tokenId: string }>

export type ApiTokenEvent = ApiTokenCreated | ApiTokenRevoked
