import type { Queryable } from '../projection.ts'
import { pageByName, rowsByIds, type Page } from './paging.ts'

/** Credential metadata; the projection holds no secret to begin with. */
export interface CredentialView {
  id: string
  name: string
  kind: string
  username: string
  created_at: Date
  updated_at: Date
  rotated_at: Date | null
}

const VIEW = 'id, name, kind, username, created_at, updated_at, rotated_at'

export const credentialsByIds = (db: Queryable, ids: ReadonlyArray<string>): Promise<CredentialView[]> =>
  rowsByIds<CredentialView>(db, 'credentials', VIEW, ids)

export const queryCredentials = (db: Queryable, q: { kind?: string | null; first: number; after?: string | null }): Promise<Page<CredentialView>> =>
  pageByName<CredentialView>(db, {
    table: 'credentials',
    sortColumn: 'name',
    columns: VIEW,
    ...(q.kind ? { where: 'kind = $1', params: [q.kind] } : {}),
    first: q.first,
    after: q.after ?? null
  })
