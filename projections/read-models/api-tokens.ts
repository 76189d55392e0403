import { absurd, type RecordedEvent } from '../../domains/shared/index.ts'
import type { ApiTokenEvent } from '../../domains/users/index.ts'
import type { DocumentProjection, Queryable } from '../projection.ts'

export interface ApiTokenRow extends Record<string, unknown> {
  id: string
  name: string
  role: string
  token_hash: string
  expires_at: string | Date | null
  revoked_at: string | Date | null
  created_at: string | Date
  created_by_id: string | null
  created_by_name: string | null
  position: number
  /** Not among the projection's columns: the API maintains it. */
  last_used_at?: string | Date | null
}

const TYPES: ReadonlyArray<ApiTokenEvent['type']> = ['ApiTokenCreated', 'ApiTokenRevoked']

/** Serves the token lookup of every API-token request (by hash) and the token list. */
export const apiTokensProjection: DocumentProjection<ApiTokenRow> = {
  table: 'api_tokens',
  key: 'id',
  keyType: 'uuid',
  columns: ['id', 'name', 'role', 'token_hash', 'expires_at', 'revoked_at', 'created_at', 'created_by_id', 'created_by_name', 'position'],
  canHandle: new Set(TYPES),
  keysOf: (e) => [(e.data as { tokenId: string }).tokenId],
  evolve: (row, recorded: RecordedEvent) => {
    const event = { type: recorded.type, data: recorded.data } as ApiTokenEvent
    const at = recorded.meta.occurredAt
    switch (event.type) {
      case 'ApiTokenCreated': {
        const d = event.data
        const by = recorded.meta.actor
        return {
          id: d.tokenId, name: d.name, role: d.role, token_hash: d.tokenHash, expires_at: d.expiresAt, revoked_at: null,
          created_at: at, created_by_id: by?.id ?? null, created_by_name: by?.name ?? null, position: recorded.position
        }
      }
      case 'ApiTokenRevoked':
        return row && { ...row, revoked_at: at, position: recorded.position }
      default:
        return absurd(event)
    }
  }
}

export interface ApiTokenIdentity {
  readonly id: string
  readonly name: string
  readonly role: string
  readonly lastUsedAt: Date | null
}

/** The live (not revoked, not expired) token with this hash, if any. */
export const findActiveApiToken = async (db: Queryable, tokenHash: string): Promise<ApiTokenIdentity | null> => {
  const { rows } = await db.query(
    `SELECT id, name, role, last_used_at FROM api_tokens
      WHERE token_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`,
    [tokenHash]
  )
  const row = rows[0] as { id: string; name: string; role: string; last_used_at: Date | null } | undefined
  return row ? { id: row.id, name: row.name, role: row.role, lastUsedAt: row.last_used_at } : null
}

/** Records use; the caller throttles, so this runs at most about once a minute per token. */
export const touchApiToken = async (db: Queryable, tokenId: string): Promise<void> => {
  await db.query('UPDATE api_tokens SET last_used_at = now() WHERE id = $1', [tokenId])
}
