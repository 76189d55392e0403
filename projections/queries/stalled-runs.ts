import type { Queryable } from '../projection.ts'

export interface InFlightRun {
  readonly executionId: string
  readonly targetId: string
  readonly attempt: number
  /** When the run last changed (its latest event). */
  readonly since: Date
}

/** Target runs dispatched or running, of executions not finished, unchanged for `olderThanMs`. */
export const quietInFlightRuns = async (db: Queryable, olderThanMs: number, limit = 500): Promise<InFlightRun[]> => {
  const { rows } = await db.query(
    `SELECT r.execution_id, r.target_id, r.attempt, ev.occurred_at
       FROM target_runs r
       JOIN executions e ON e.id = r.execution_id AND e.status IN ('QUEUED', 'RUNNING')
       JOIN LATERAL (SELECT occurred_at FROM events WHERE position = r.position LIMIT 1) ev ON true
      WHERE r.status IN ('DISPATCHED', 'RUNNING') AND ev.occurred_at < now() - make_interval(secs => $1 / 1000.0)
      ORDER BY ev.occurred_at LIMIT $2`,
    [olderThanMs, limit]
  )
  return (rows as Array<{ execution_id: string; target_id: string; attempt: number; occurred_at: Date }>).map((r) => ({
    executionId: r.execution_id,
    targetId: r.target_id,
    attempt: r.attempt,
    since: r.occurred_at
  }))
}
