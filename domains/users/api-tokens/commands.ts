import type { Role } from '../commands.ts'

/**
 * An API token for an external system, scoped to one role. The edge generates the token and
 * passes only its SHA-256 (`tokenHash`, 64 hex digits): the plain token never reaches an event.
 */
export interface CreateApiToken {
  readonly type: 'CreateApiToken'
  readonly tokenId: string
  readonly name: string
  readonly role: Role
  readonly tokenHash: string
  /** ISO time after which the token stops working; null = until revoked. */
  readonly expiresAt?: string | null
  readonly at: string
}
export interface RevokeApiToken {
  readonly type: 'RevokeApiToken'
  readonly tokenId: string
  readonly at: string
}

export type ApiTokenCommand = CreateApiToken | RevokeApiToken
