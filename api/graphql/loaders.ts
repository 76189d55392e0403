import type { Pool } from '../../projections/db.ts'
import { credentialsByIds, type CredentialView } from '../../projections/queries/credentials.ts'
import { usersByIds, type UserView } from '../../projections/queries/users.ts'
import { removedTargetsByIds, targetsByIds, type TargetView } from '../../projections/queries/targets.ts'
import { jobVersionsByKeys, type JobView } from '../../projections/queries/jobs.ts'
import { targetRunsOfEach, type TargetRunWindow } from '../../projections/queries/executions.ts'
import type { TargetRunRow } from '../../projections/read-models/target-runs.ts'

/**
 * Batches by-id reads made while resolving one request (e.g. the credential of every target on
 * a page) into one query per tick: no N+1.
 */
export const batchLoader = <V>(load: (ids: ReadonlyArray<string>) => Promise<V[]>, keyOf: (v: V) => string = (v) => (v as { id: string }).id) => {
  let pending: Map<string, Array<{ resolve: (v: V | null) => void; reject: (e: unknown) => void }>> | null = null
  const flush = async (batch: NonNullable<typeof pending>) => {
    try {
      const found = new Map((await load([...batch.keys()])).map((v) => [keyOf(v), v]))
      for (const [id, waiters] of batch) for (const w of waiters) w.resolve(found.get(id) ?? null)
    } catch (error) {
      for (const waiters of batch.values()) for (const w of waiters) w.reject(error)
    }
  }
  return (id: string): Promise<V | null> =>
    new Promise((resolve, reject) => {
      if (!pending) {
        const batch = new Map<string, Array<{ resolve: (v: V | null) => void; reject: (e: unknown) => void }>>()
        pending = batch
        queueMicrotask(() => {
          pending = null
          void flush(batch)
        })
      }
      const waiters = pending.get(id) ?? []
      waiters.push({ resolve, reject })
      pending.set(id, waiters)
    })
}

export interface Loaders {
  readonly credential: (id: string) => Promise<CredentialView | null>
  readonly user: (id: string) => Promise<UserView | null>
  readonly target: (id: string) => Promise<TargetView | null>
  /** A target as it was before its removal (from its events). */
  readonly removedTarget: (id: string) => Promise<TargetView | null>
  /** Keyed `<jobId>@<version>`. */
  readonly jobVersion: (key: string) => Promise<JobView | null>
  /** One execution's window of target runs; executions asking for the same window share a query. */
  readonly targetRuns: (executionId: string, window: TargetRunWindow) => Promise<TargetRunRow[]>
}

/** A batch loader per distinct window, so a page of executions asking alike is one query. */
const targetRunsLoader = (pool: Pool): Loaders['targetRuns'] => {
  const byWindow = new Map<string, (executionId: string) => Promise<{ id: string; runs: TargetRunRow[] } | null>>()
  return async (executionId, window) => {
    const key = JSON.stringify([window.status, window.targetId ?? null, window.first, window.offset])
    let load = byWindow.get(key)
    if (!load) {
      load = batchLoader(async (ids) => [...(await targetRunsOfEach(pool, ids, window))].map(([id, runs]) => ({ id, runs })))
      byWindow.set(key, load)
    }
    return (await load(executionId))?.runs ?? []
  }
}

export const createLoaders = (pool: Pool): Loaders => ({
  credential: batchLoader((ids) => credentialsByIds(pool, ids)),
  user: batchLoader((ids) => usersByIds(pool, ids)),
  target: batchLoader((ids) => targetsByIds(pool, ids)),
  removedTarget: batchLoader((ids) => removedTargetsByIds(pool, ids)),
  jobVersion: batchLoader((keys) => jobVersionsByKeys(pool, keys), (v) => v.key),
  targetRuns: targetRunsLoader(pool)
})
