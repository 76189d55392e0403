import { absurd } from '../../domains/shared/index.ts'
import type { CredentialEvent } from '../../domains/credentials/index.ts'
import { textLiteral, type DocumentProjection } from '../projection.ts'
import type { RecordedEvent } from '../../domains/shared/index.ts'

export interface CredentialRow extends Record<string, unknown> {
  id: string
  name: string
  kind: string
  username: string
  key_id: string
  created_at: string | Date
  updated_at: string | Date
  rotated_at: string | Date | null
  position: number
}

const TYPES: ReadonlyArray<CredentialEvent['type']> = ['CredentialCreated', 'CredentialRotated', 'CredentialDeleted']

/** Credential metadata for lists and pickers; never the sealed secret. */
export const credentialsProjection: DocumentProjection<CredentialRow> = {
  table: 'credentials',
  key: 'id',
  keyType: 'uuid',
  columns: ['id', 'name', 'kind', 'username', 'key_id', 'created_at', 'updated_at', 'rotated_at', 'position'],
  canHandle: new Set(TYPES),
  createdBy: new Set(['CredentialCreated']),
  keysOf: (e) => [(e.data as { credentialId: string }).credentialId],
  evolve: (row, recorded) => {
    const event = { type: recorded.type, data: recorded.data } as CredentialEvent
    const at = recorded.meta.occurredAt
    switch (event.type) {
      case 'CredentialCreated': {
        const d = event.data
        return { id: d.credentialId, name: d.name, kind: d.kind, username: d.username, key_id: d.secret.keyId, created_at: at, updated_at: at, rotated_at: null, position: recorded.position }
      }
      case 'CredentialRotated':
        return row && { ...row, username: event.data.username, key_id: event.data.secret.keyId, updated_at: at, rotated_at: at, position: recorded.position }
      case 'CredentialDeleted':
        return null
      default:
        return absurd(event)
    }
  }
}

/**
 * Crypto-shredding, inline with the sink: once a rotation or deletion is committed, the data
 * key that could open the superseded secret is destroyed in the same transaction.
 */
export const shredCredentialKeys = (events: ReadonlyArray<RecordedEvent>): string[] => {
  const doomed: string[] = []
  for (const e of events) {
    if (e.type === 'CredentialRotated') doomed.push((e.data as { previousKeyId: string }).previousKeyId)
    if (e.type === 'CredentialDeleted') doomed.push((e.data as { keyId: string }).keyId)
  }
  return doomed.length === 0 ? [] : [`DELETE FROM credential_keys WHERE key_id = ANY(ARRAY[${doomed.map(textLiteral).join(',')}]::uuid[])`]
}
