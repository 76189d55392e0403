import type { Queryable } from '../projection.ts'
import { pageByName, rowsByIds, type Page } from './paging.ts'

/** Token metadata for the admin list: never the hash. */
export interface ApiTokenView {
  id: string
  name: string
  role: string
  expires_at: Date | null
  revoked_at: Date | null
  created_at: Date
  created_by_id: string | null
  created_by_name: string | null
  last_used_at: Date | null
}

const VIEW = 'id, name, role, expires_at, revoked_at, created_at, created_by_id, created_by_name, last_used_at'

export const apiTokensByIds = (db: Queryable, ids: ReadonlyArray<string>): Promise<ApiTokenView[]> =>
  rowsByIds<ApiTokenView>(db, 'api_tokens', VIEW, ids)

export const queryApiTokens = (db: Queryable, q: { includeRevoked?: boolean | null; first: number; after?: string | null }): Promise<Page<ApiTokenView>> =>
  pageByName<ApiTokenView>(db, {
    table: 'api_tokens',
    sortColumn: 'name',
    columns: VIEW,
    where: q.includeRevoked ? 'TRUE' : 'revoked_at IS NULL',
    first: q.first,
    after: q.after ?? null
  })
