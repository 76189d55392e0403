import type { Queryable } from '../projection.ts'
import { pageByName, rowsByIds, type Page } from './paging.ts'

/** What the API may show of a user: never the password hash. */
export interface UserView {
  id: string
  username: string
  role: string
  disabled: boolean
  created_at: Date
  updated_at: Date
}

const VIEW = 'id, username, role, disabled, created_at, updated_at'

export const usersByIds = (db: Queryable, ids: ReadonlyArray<string>): Promise<UserView[]> => rowsByIds<UserView>(db, 'users', VIEW, ids)

export const queryUsers = (db: Queryable, q: { role?: string | null; first: number; after?: string | null }): Promise<Page<UserView>> =>
  pageByName<UserView>(db, {
    table: 'users',
    sortColumn: 'username',
    columns: VIEW,
    ...(q.role ? { where: 'role = $1', params: [q.role] } : {}),
    first: q.first,
    after: q.after ?? null
  })

export interface LoginCandidate {
  readonly user: UserView
  readonly passwordHash: string
}

/** The one place that reads a password hash: login verifies against it. */
export const findLoginCandidate = async (db: Queryable, username: string): Promise<LoginCandidate | null> => {
  const { rows } = await db.query(`SELECT ${VIEW}, password_hash FROM users WHERE username = $1 LIMIT 1`, [username])
  const row = rows[0] as (UserView & { password_hash: string }) | undefined
  if (!row) return null
  const { password_hash: passwordHash, ...user } = row
  return { user, passwordHash }
}

export const anyUserExists = async (db: Queryable): Promise<boolean> => {
  const { rows } = await db.query('SELECT EXISTS (SELECT 1 FROM users) AS found')
  return (rows[0] as { found: boolean } | undefined)?.found === true
}
