import { unstorableTextAt } from '../../domains/shared/index.ts'
import type { Queryable } from '../projection.ts'

/** Bad paging input; the API answers BAD_USER_INPUT naming `field`. */
export class PageInputError extends Error {
  readonly _tag = 'PageInputError'
  constructor(
    readonly field: 'first' | 'after',
    message: string
  ) {
    super(`${field}: ${message}`)
    this.name = 'PageInputError'
  }
}

export const MAX_PAGE = 500
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** Opaque to callers: the sort key as PostgreSQL computed it, and the id that breaks ties. */
export const encodeCursor = (sortKey: string, id: string): string => Buffer.from(JSON.stringify([sortKey, id]), 'utf8').toString('base64url')

/** The sort key and id of a cursor this code made, or null for anything else. */
export const cursorParts = (after: string): [string, string] | null => {
  try {
    const value: unknown = JSON.parse(Buffer.from(after, 'base64url').toString('utf8'))
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string' && UUID.test(value[1]) && unstorableTextAt(value[0]) === undefined)
      return [value[0], value[1]]
  } catch {
    // Not one of our cursors.
  }
  return null
}

const decodeCursor = (after: string): [string, string] => {
  const parts = cursorParts(after)
  if (!parts) throw new PageInputError('after', 'is not a cursor returned by this query (use pageInfo.endCursor)')
  return parts
}

export interface Page<R> {
  readonly rows: R[]
  readonly totalCount: number
  readonly hasNextPage: boolean
  readonly endCursor: string | null
}

export interface PageSpec {
  /** Fixed by the caller's code, never from input: the table and its sort column. */
  readonly table: string
  readonly sortColumn: string
  readonly columns: string
  /** A condition over the table with `$n` parameters numbered from 1 (default TRUE). */
  readonly where?: string
  readonly params?: ReadonlyArray<unknown>
  readonly first: number
  readonly after?: string | null
}

/**
 * One page in (lower(sort column), id) order — a total order, so keyset paging visits every
 * row once even when names repeat — plus the total count of the condition.
 */
export const pageByName = async <R extends { id: string }>(db: Queryable, spec: PageSpec): Promise<Page<R>> => {
  if (!Number.isInteger(spec.first) || spec.first < 1 || spec.first > MAX_PAGE)
    throw new PageInputError('first', `must be a whole number from 1 to ${MAX_PAGE} (got ${spec.first})`)
  const where = spec.where ?? 'TRUE'
  const params = [...(spec.params ?? [])]
  const pageParams = [...params]
  let keyset = ''
  if (spec.after) {
    const [sortKey, id] = decodeCursor(spec.after)
    pageParams.push(sortKey, id)
    keyset = ` AND (lower(${spec.sortColumn}), id) > ($${pageParams.length - 1}, $${pageParams.length}::uuid)`
  }
  pageParams.push(spec.first + 1)
  const [page, count] = await Promise.all([
    db.query(
      `SELECT ${spec.columns}, lower(${spec.sortColumn}) AS sort_key FROM ${spec.table}
        WHERE (${where})${keyset} ORDER BY lower(${spec.sortColumn}), id LIMIT $${pageParams.length}`,
      pageParams
    ),
    db.query(`SELECT count(*)::int AS count FROM ${spec.table} WHERE ${where}`, params)
  ])
  const found = page.rows as Array<R & { sort_key: string }>
  const rows = found.slice(0, spec.first).map(({ sort_key: _, ...row }) => row as unknown as R)
  const last = found[Math.min(found.length, spec.first) - 1]
  return {
    rows,
    totalCount: (count.rows[0] as { count: number } | undefined)?.count ?? 0,
    hasNextPage: found.length > spec.first,
    endCursor: last ? encodeCursor(last.sort_key, last.id) : null
  }
}

/** Rows of `table` by id, for batch loading; ids must be UUIDs (checked by the caller). */
export const rowsByIds = async <R>(db: Queryable, table: string, columns: string, ids: ReadonlyArray<string>): Promise<R[]> => {
  if (ids.length === 0) return []
  const { rows } = await db.query(`SELECT ${columns} FROM ${table} WHERE id = ANY($1::uuid[])`, [ids])
  return rows as R[]
}
