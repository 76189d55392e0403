import type { JobFields } from '../read-models/jobs.ts'
import type { Queryable } from '../projection.ts'
import { globToLike } from '../target-filter-sql.ts'
import { pageByName, rowsByIds, type Page } from './paging.ts'

/** A job as queries answer it, timestamps as read from PostgreSQL. */
export interface JobView extends JobFields {
  created_at: Date
  updated_at: Date
}

const VIEW = 'id, name, description, version, steps, parameters, concurrency, archived, created_at, updated_at'

export const jobsByIds = (db: Queryable, ids: ReadonlyArray<string>): Promise<JobView[]> => rowsByIds<JobView>(db, 'jobs', VIEW, ids)

/** One stored version of a job (every version is kept, so executions show what they ran). */
export const jobVersion = async (db: Queryable, jobId: string, version: number): Promise<JobView | null> => {
  const { rows } = await db.query(
    `SELECT v.job_id AS id, v.name, v.description, v.version, v.steps, v.parameters, v.concurrency, j.archived, v.created_at, v.created_at AS updated_at
       FROM job_versions v JOIN jobs j ON j.id = v.job_id WHERE v.job_id = $1 AND v.version = $2`,
    [jobId, version]
  )
  return (rows[0] as JobView | undefined) ?? null
}

/** Several job versions in one query, e.g. the jobs of a page of executions; keyed `<jobId>@<version>`. */
export const jobVersionsByKeys = async (db: Queryable, keys: ReadonlyArray<string>): Promise<Array<JobView & { key: string }>> => {
  if (keys.length === 0) return []
  const ids = keys.map((k) => k.slice(0, k.lastIndexOf('@')))
  const versions = keys.map((k) => Number(k.slice(k.lastIndexOf('@') + 1)))
  const { rows } = await db.query(
    `SELECT v.job_id || '@' || v.version AS key, v.job_id AS id, v.name, v.description, v.version, v.steps, v.parameters, v.concurrency, j.archived,
            v.created_at, v.created_at AS updated_at
       FROM unnest($1::uuid[], $2::int[]) AS k(job_id, version)
       JOIN job_versions v ON v.job_id = k.job_id AND v.version = k.version
       JOIN jobs j ON j.id = v.job_id`,
    [ids, versions]
  )
  return rows as Array<JobView & { key: string }>
}

/** `name`: a glob (`deploy-*`), case-insensitive. Archived jobs only when asked for. */
export const queryJobs = (
  db: Queryable,
  q: { name?: string | null; includeArchived?: boolean | null; first: number; after?: string | null }
): Promise<Page<JobView>> => {
  const conditions: string[] = []
  const params: unknown[] = []
  if (!q.includeArchived) conditions.push('NOT archived')
  if (q.name) {
    params.push(globToLike(q.name))
    conditions.push(`lower(name) LIKE lower($${params.length}) ESCAPE '\\'`)
  }
  return pageByName<JobView>(db, {
    table: 'jobs',
    sortColumn: 'name',
    columns: VIEW,
    where: conditions.length > 0 ? conditions.join(' AND ') : 'TRUE',
    params,
    first: q.first,
    after: q.after ?? null
  })
}
