import { isUuid } from '../../domains/shared/index.ts'
import { parseInstant } from '../../domains/shared/time.ts'
import type { Queryable } from '../projection.ts'
import type { ExecutionRow } from '../read-models/executions.ts'
import type { TargetRunRow } from '../read-models/target-runs.ts'
import { MAX_PAGE, PageInputError, type Page } from './paging.ts'

export type ExecutionView = ExecutionRow & { running: number; pending: number }

// Running and pending runs are counted from target_runs, but only for executions still going:
// a finished one has none, and a page of finished 10,000-target executions must not read
// every one of their runs.
const ACTIVE = "e.status IN ('QUEUED', 'RUNNING')"
const VIEW = `e.*,
  CASE WHEN ${ACTIVE} THEN (SELECT count(*)::int FROM target_runs r WHERE r.execution_id = e.id AND r.status = 'RUNNING') ELSE 0 END AS running,
  CASE WHEN ${ACTIVE} THEN (SELECT count(*)::int FROM target_runs r WHERE r.execution_id = e.id AND r.status IN ('PENDING', 'DISPATCHED')) ELSE 0 END AS pending`

export const executionsByIds = async (db: Queryable, ids: ReadonlyArray<string>): Promise<ExecutionView[]> => {
  if (ids.length === 0) return []
  const { rows } = await db.query(`SELECT ${VIEW} FROM executions e WHERE e.id = ANY($1::uuid[])`, [ids])
  return rows as ExecutionView[]
}

const encode = (createdAt: Date, id: string) => Buffer.from(JSON.stringify([createdAt.toISOString(), id])).toString('base64url')
const decode = (cursor: string): [string, string] => {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    if (Array.isArray(v) && v.length === 2 && parseInstant(v[0]) !== undefined && isUuid(v[1])) return [v[0] as string, v[1]]
  } catch {
    // reported below
  }
  throw new PageInputError('after', 'is not a cursor returned by this query (use pageInfo.endCursor)')
}

/** Newest first, keyset-paged on (created_at, id). */
export const queryExecutions = async (
  db: Queryable,
  q: {
    readonly jobId: string | null
    readonly status: string | null
    /** Only executions that ran on this target (served by target_runs_by_target). */
    readonly targetId?: string | null
    readonly first: number
    readonly after: string | null
  }
): Promise<Page<ExecutionView>> => {
  if (!Number.isInteger(q.first) || q.first < 1 || q.first > MAX_PAGE) throw new PageInputError('first', `must be a whole number from 1 to ${MAX_PAGE} (got ${q.first})`)
  const params: unknown[] = []
  const where: string[] = []
  if (q.jobId) where.push(`e.job_id = $${params.push(q.jobId)}`)
  if (q.status) where.push(`e.status = $${params.push(q.status)}`)
  if (q.targetId) where.push(`e.id IN (SELECT r.execution_id FROM target_runs r WHERE r.target_id = $${params.push(q.targetId)})`)
  const filter = where.length > 0 ? where.join(' AND ') : 'TRUE'
  const pageParams = [...params]
  let keyset = ''
  if (q.after) {
    const [at, id] = decode(q.after)
    keyset = ` AND (e.created_at, e.id) < ($${pageParams.push(at)}::timestamptz, $${pageParams.push(id)}::uuid)`
  }
  const limit = pageParams.push(q.first + 1)
  const [page, count] = await Promise.all([
    db.query(`SELECT ${VIEW} FROM executions e WHERE ${filter}${keyset} ORDER BY e.created_at DESC, e.id DESC LIMIT $${limit}`, pageParams),
    db.query(`SELECT count(*)::int AS n FROM executions e WHERE ${filter}`, params)
  ])
  const found = page.rows as ExecutionView[]
  const rows = found.slice(0, q.first)
  const last = rows[rows.length - 1]
  return {
    rows,
    totalCount: (count.rows[0] as { n: number }).n,
    hasNextPage: found.length > q.first,
    endCursor: last ? encode(new Date(last.created_at), last.id) : null
  }
}

export interface TargetRunWindow {
  readonly status: string | null
  readonly targetId?: string | null
  readonly first: number
  readonly offset: number
}

/**
 * The same window of the target runs of several executions (a page of executions, each with its
 * failed targets), in one query: each execution's runs in the order its targets were given,
 * optionally one status or one target only. Each execution reads its own index range and stops
 * at the window's end.
 */
export const targetRunsOfEach = async (db: Queryable, executionIds: ReadonlyArray<string>, q: TargetRunWindow): Promise<Map<string, TargetRunRow[]>> => {
  const byExecution = new Map<string, TargetRunRow[]>(executionIds.map((id) => [id, []]))
  if (executionIds.length === 0) return byExecution
  const statuses = q.status === null ? null : q.status === 'PENDING' ? ['PENDING', 'DISPATCHED'] : [q.status]
  const { rows } = await db.query(
    `SELECT r.* FROM unnest($1::uuid[]) WITH ORDINALITY AS e(id, n)
     CROSS JOIN LATERAL (
       SELECT * FROM target_runs WHERE execution_id = e.id AND ($2::text[] IS NULL OR status = ANY($2::text[]))
         AND ($5::uuid IS NULL OR target_id = $5::uuid)
       ORDER BY ordinal LIMIT $3 OFFSET $4
     ) r
     ORDER BY e.n, r.ordinal`,
    [executionIds, statuses, q.first, q.offset, q.targetId ?? null]
  )
  for (const row of rows as TargetRunRow[]) byExecution.get(row.execution_id)?.push(row)
  return byExecution
}
