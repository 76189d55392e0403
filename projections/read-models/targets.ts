import type { RecordedEvent } from '../../domains/shared/index.ts'
import type { TargetEvent } from '../../domains/targets/index.ts'
import { absurd } from '../../domains/shared/index.ts'
import type { DocumentProjection } from '../projection.ts'

export interface TargetRow extends Record<string, unknown> {
  id: string
  name: string
  address: string
  port: number | null
  connection: string
  credential_id: string | null
  tags: string[]
  attributes: Record<string, string>
  host_key: string | null
  created_at: string | Date
  updated_at: string | Date
  position: number
}

const TYPES: ReadonlyArray<TargetEvent['type']> = [
  'TargetRegistered', 'TargetUpdated', 'TargetTagged', 'TargetUntagged',
  'TargetCredentialAssigned', 'TargetCredentialUnassigned', 'TargetHostKeyPinned', 'TargetRemoved'
]

/** Serves `targets(filter:)`, `target(id:)` and the filter of `runJob`. */
export const targetsProjection: DocumentProjection<TargetRow> = {
  table: 'targets',
  key: 'id',
  keyType: 'uuid',
  columns: ['id', 'name', 'address', 'port', 'connection', 'credential_id', 'tags', 'attributes', 'host_key', 'created_at', 'updated_at', 'position'],
  canHandle: new Set(TYPES),
  createdBy: new Set(['TargetRegistered']),
  keysOf: (e) => [(e.data as { targetId: string }).targetId],
  evolve: (row, recorded) => {
    const event = { type: recorded.type, data: recorded.data } as TargetEvent
    const touch = (r: TargetRow): TargetRow => ({ ...r, updated_at: recorded.meta.occurredAt, position: recorded.position })
    if (event.type === 'TargetRegistered') {
      const d = event.data
      return {
        id: d.targetId, name: d.name, address: d.address, port: d.port, connection: d.connection,
        credential_id: d.credentialId, tags: d.tags, attributes: d.attributes, host_key: null,
        created_at: recorded.meta.occurredAt, updated_at: recorded.meta.occurredAt, position: recorded.position
      }
    }
    if (!row) return null
    switch (event.type) {
      case 'TargetUpdated': {
        const { targetId: _, ...changed } = event.data
        return touch({ ...row, ...changed })
      }
      case 'TargetTagged':
        return touch({ ...row, tags: [...new Set([...row.tags, ...event.data.tags])].sort() })
      case 'TargetUntagged':
        return touch({ ...row, tags: row.tags.filter((t) => !event.data.tags.includes(t)) })
      case 'TargetCredentialAssigned':
        return touch({ ...row, credential_id: event.data.credentialId })
      case 'TargetCredentialUnassigned':
        return touch({ ...row, credential_id: null })
      case 'TargetHostKeyPinned':
        return touch({ ...row, host_key: event.data.hostKey })
      case 'TargetRemoved':
        return null
      default:
        return absurd(event)
    }
  }
}

export type { RecordedEvent }
