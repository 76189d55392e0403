import { streamName } from '../../domains/shared/index.ts'
import { targets } from '../../domains/targets/index.ts'
import { readStreams } from '../event-store.ts'
import { targetsProjection, type TargetRow } from '../read-models/targets.ts'
import type { Queryable } from '../projection.ts'
import { rowsByIds } from './paging.ts'

export type TargetView = TargetRow

const VIEW = 'id, name, address, port, connection, credential_id, tags, attributes, host_key, created_at, updated_at, position'

/** Paged, filtered target lists are `queryTargets` in target-filter-sql.ts; this is by id. */
export const targetsByIds = (db: Queryable, ids: ReadonlyArray<string>): Promise<TargetView[]> => rowsByIds<TargetView>(db, 'targets', VIEW, ids)

/**
 * Targets removed since, as they were just before their removal (their own events folded by the
 * read model's evolve): an execution keeps showing where it ran.
 */
export const removedTargetsByIds = async (db: Queryable, ids: ReadonlyArray<string>): Promise<TargetView[]> => {
  const last = new Map<string, TargetView>()
  for (const event of await readStreams(db, ids.map((id) => streamName(targets.kind, id)))) {
    const id = event.stream.slice(targets.kind.length + 1)
    const row = targetsProjection.evolve(last.get(id) ?? null, event, id)
    if (row) last.set(id, row)
  }
  return [...last.values()]
}
