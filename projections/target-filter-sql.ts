import { absurd } from '../domains/shared/index.ts'
import { cursorParts, encodeCursor as encodeSortCursor } from './queries/paging.ts'
import { parseTargetFilter, type FilterAst, type TextField } from '../domains/targets/filter/index.ts'
import type { TargetRow } from './read-models/targets.ts'
import { readModelVersionName } from './sink.ts'

/** Anything that runs a parameterised query: a pg Pool, a PoolClient or a Client. */
export interface Queryable {
  query(text: string, params?: unknown[]): Promise<{ rows: unknown[] }>
}

export type TargetFilterField = 'filter' | 'first' | 'after'

/**
 * Bad input to a targets query. `position` is the offset in the filter text (null for `first` and
 * `after`); the API maps this to BAD_USER_INPUT naming `field`.
 */
export class TargetFilterError extends Error {
  readonly _tag = 'TargetFilterError'
  constructor(
    message: string,
    readonly position: number | null = null,
    readonly field: TargetFilterField = 'filter'
  ) {
    super(message)
    this.name = 'TargetFilterError'
  }
}

/**
 * PostgreSQL refuses a few regular expressions the filter parser lets through (a range like
 * `[\d-z]`, one too complex to run): that is the filter's fault, and said as such.
 */
export const asFilterError = (error: unknown): unknown =>
  (error as { code?: string } | null)?.code === '2201B' ? new TargetFilterError(`${(error as Error).message}; simplify the regular expression`) : error

export interface CompiledFilter {
  readonly where: string
  readonly params: unknown[]
}

// Column names come from this table, never from the filter text.
const TEXT_COLUMNS: Readonly<Record<TextField, string>> = { name: 'name', address: 'address' }

/** `*` → `%`, `?` → `_`; the LIKE metacharacters `%`, `_` and `\` in the text match themselves. */
export const globToLike = (glob: string): string =>
  glob.replace(/[\\%_*?]/g, (c) => (c === '*' ? '%' : c === '?' ? '_' : `\\${c}`))

/**
 * Compiles a filter to a WHERE condition over `targets`, with every value a parameter numbered
 * from `firstParam`. Tags and attributes use containment (`@>`) so the GIN indexes serve them;
 * names compare lower-cased like the `(lower(name), id)` index.
 */
export const compileTargetFilter = (ast: FilterAst, firstParam = 1): CompiledFilter => {
  const params: unknown[] = []
  const param = (value: unknown): string => {
    params.push(value)
    return `$${firstParam + params.length - 1}`
  }
  const glob = (field: TextField, pattern: string): string => {
    const column = TEXT_COLUMNS[field]
    // Without wildcards an equality lets the planner use the expression index directly.
    if (!/[*?]/.test(pattern)) return `lower(${column}) = lower(${param(pattern)})`
    return `lower(${column}) LIKE lower(${param(globToLike(pattern))}) ESCAPE '\\'`
  }
  const sql = (node: FilterAst): string => {
    switch (node.kind) {
      case 'all':
        return 'TRUE'
      case 'and':
        return `(${node.items.map(sql).join(' AND ')})`
      case 'or':
        return `(${node.items.map(sql).join(' OR ')})`
      case 'not':
        return `NOT (${sql(node.item)})`
      case 'tag':
        return `tags @> ARRAY[${param(node.tag)}]::text[]`
      case 'attribute':
        return `attributes @> ${param(JSON.stringify({ [node.key]: node.value }))}::jsonb`
      case 'connection':
        return `connection = ${param(node.connection)}`
      case 'id':
        return `id = ${param(node.id)}::uuid`
      case 'glob':
        return glob(node.field, node.pattern)
      case 'regex':
        return `${TEXT_COLUMNS[node.field]} ${node.ignoreCase ? '~*' : '~'} ${param(node.source)}`
      default:
        return absurd(node)
    }
  }
  return { where: sql(ast), params }
}

const parseOrThrow = (filter: string | null | undefined): FilterAst => {
  const parsed = parseTargetFilter(filter ?? '')
  if (!parsed.ok) throw new TargetFilterError(parsed.error.message, parsed.error.position, 'filter')
  return parsed.filter
}

interface Cursor {
  readonly sortName: string
  readonly id: string
}


/** Opaque to callers; holds the sort key exactly as PostgreSQL computed it. */
export const encodeCursor = (cursor: Cursor): string => encodeSortCursor(cursor.sortName, cursor.id)

const decodeCursor = (after: string): Cursor => {
  const parts = cursorParts(after)
  if (!parts) throw new TargetFilterError('after: is not a cursor returned by this query (use pageInfo.endCursor)', null, 'after')
  return { sortName: parts[0], id: parts[1] }
}

export const MAX_PAGE_SIZE = 500
const COLUMNS = 'id, name, address, port, connection, credential_id, tags, attributes, host_key, created_at, updated_at, position'

export interface TargetQuery {
  readonly filter?: string | null
  readonly first: number
  readonly after?: string | null
}

export interface TargetPage {
  readonly rows: TargetRow[]
  readonly totalCount: number
  readonly hasNextPage: boolean
  readonly endCursor: string | null
}

const countWhere = async (db: Queryable, { where, params }: CompiledFilter): Promise<number> => {
  const { rows } = await db.query(`SELECT count(*)::int AS count FROM targets WHERE ${where}`, params)
  return (rows[0] as { count: number } | undefined)?.count ?? 0
}

// The targets read model's version (see the sink): equal versions mean an unchanged table.
const VERSION = `(SELECT position || ':' || extract(epoch FROM updated_at) FROM checkpoints WHERE name = '${readModelVersionName('targets')}')`
const COUNTS_KEPT = 500

/**
 * Counting thousands of matches costs PostgreSQL milliseconds, far more than the page itself, and
 * every page of a listing asks again. Counts are kept per filter with the version of the targets
 * table they were counted at — read in the same statement, so the same snapshot — and served only
 * while a fresh read of the version still equals it: exact, never stale, per process.
 */
class TargetCounts {
  private readonly counts = new Map<string, { readonly version: string | null; readonly count: number }>()

  /** True when this filter matched nothing at the table's current version: no page to read. */
  async knownEmpty(db: Queryable, filter: CompiledFilter): Promise<boolean> {
    const kept = this.counts.get(keyOf(filter))
    return kept !== undefined && kept.count === 0 && (await currentVersion(db)) === kept.version
  }

  async count(db: Queryable, filter: CompiledFilter): Promise<number> {
    const key = keyOf(filter)
    const kept = this.counts.get(key)
    if (kept && (await currentVersion(db)) === kept.version) return kept.count
    const { rows } = await db.query(`SELECT count(*)::int AS count, ${VERSION} AS version FROM targets WHERE ${filter.where}`, filter.params)
    const counted = rows[0] as { count: number; version: string | null }
    this.counts.delete(key)
    if (this.counts.size >= COUNTS_KEPT) this.counts.delete(this.counts.keys().next().value as string)
    this.counts.set(key, counted)
    return counted.count
  }
}

const keyOf = (filter: CompiledFilter): string => `${filter.where}\u0000${JSON.stringify(filter.params)}`

const currentVersion = async (db: Queryable): Promise<string | null> =>
  ((await db.query(`SELECT ${VERSION} AS version`)).rows[0] as { version: string | null }).version

const countsByDb = new WeakMap<Queryable, TargetCounts>()
const countsOf = (db: Queryable): TargetCounts => {
  let counts = countsByDb.get(db)
  if (!counts) countsByDb.set(db, (counts = new TargetCounts()))
  return counts
}

/** Number of targets the filter selects; throws TargetFilterError for a malformed filter. */
export const countTargets = (db: Queryable, filter?: string | null): Promise<number> =>
  countWhere(db, compileTargetFilter(parseOrThrow(filter))).catch((error: unknown) => Promise.reject(asFilterError(error)))

/**
 * One page of the targets a filter selects, ordered by (lower(name), id) — a total order, so
 * keyset paging visits every match exactly once even when names repeat.
 */
export const queryTargets = (db: Queryable, query: TargetQuery): Promise<TargetPage> =>
  pageOfTargets(db, query).catch((error: unknown) => Promise.reject(asFilterError(error)))

const pageOfTargets = async (db: Queryable, query: TargetQuery): Promise<TargetPage> => {
  const { first } = query
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE)
    throw new TargetFilterError(`first: must be a whole number from 1 to ${MAX_PAGE_SIZE} (got ${first})`, null, 'first')
  const ast = parseOrThrow(query.filter)
  const cursor = query.after ? decodeCursor(query.after) : undefined
  const compiled = compileTargetFilter(ast)
  const { where, params } = compiled
  const pageParams = [...params]
  let keyset = ''
  if (cursor) {
    pageParams.push(cursor.sortName, cursor.id)
    keyset = ` AND (lower(name), id) > ($${pageParams.length - 1}, $${pageParams.length}::uuid)`
  }
  pageParams.push(first + 1)
  // A filter that matched nothing at this version still matches nothing: correlated conditions
  // (a rack that only holds prod machines, `!tag:prod + rack:r7`) can otherwise walk the whole
  // name index looking for a first row that is not there.
  const counts = countsOf(db)
  if (await counts.knownEmpty(db, compiled)) return { rows: [], totalCount: 0, hasNextPage: false, endCursor: null }
  const [page, totalCount] = await Promise.all([
    db.query(
      `SELECT ${COLUMNS}, lower(name) AS sort_name FROM targets WHERE (${where})${keyset} ORDER BY lower(name), id LIMIT $${pageParams.length}`,
      pageParams
    ),
    counts.count(db, compiled)
  ])
  const found = page.rows as Array<TargetRow & { sort_name: string }>
  const rows = found.slice(0, first).map(({ sort_name: _, ...row }) => row)
  const last = found[Math.min(found.length, first) - 1]
  return {
    rows,
    totalCount,
    hasNextPage: found.length > first,
    endCursor: last ? encodeCursor({ sortName: last.sort_name, id: last.id }) : null
  }
}
