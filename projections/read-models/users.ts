import { absurd } from '../../domains/shared/index.ts'
import type { UserEvent } from '../../domains/users/index.ts'
import type { DocumentProjection } from '../projection.ts'

export interface UserRow extends Record<string, unknown> {
  id: string
  username: string
  role: string
  password_hash: string
  disabled: boolean
  created_at: string | Date
  updated_at: string | Date
  position: number
}

const TYPES: ReadonlyArray<UserEvent['type']> = ['UserRegistered', 'UserRoleChanged', 'UserPasswordChanged', 'UserDisabled', 'UserEnabled']

/** Serves login (by username) and the users pages. */
export const usersProjection: DocumentProjection<UserRow> = {
  table: 'users',
  key: 'id',
  keyType: 'uuid',
  columns: ['id', 'username', 'role', 'password_hash', 'disabled', 'created_at', 'updated_at', 'position'],
  canHandle: new Set(TYPES),
  createdBy: new Set(['UserRegistered']),
  keysOf: (e) => [(e.data as { userId: string }).userId],
  evolve: (row, recorded) => {
    const event = { type: recorded.type, data: recorded.data } as UserEvent
    const at = recorded.meta.occurredAt
    if (event.type === 'UserRegistered') {
      const d = event.data
      return { id: d.userId, username: d.username, role: d.role, password_hash: d.passwordHash, disabled: false, created_at: at, updated_at: at, position: recorded.position }
    }
    if (!row) return null
    const touch = (r: UserRow): UserRow => ({ ...r, updated_at: at, position: recorded.position })
    switch (event.type) {
      case 'UserRoleChanged':
        return touch({ ...row, role: event.data.role })
      case 'UserPasswordChanged':
        return touch({ ...row, password_hash: event.data.passwordHash })
      case 'UserDisabled':
        return touch({ ...row, disabled: true })
      case 'UserEnabled':
        return touch({ ...row, disabled: false })
      default:
        return absurd(event)
    }
  }
}
