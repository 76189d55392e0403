import type { TargetRow } from '../read-models/targets.ts'
import type { Queryable } from '../projection.ts'
import { rowsByIds } from './paging.ts'

export type TargetView = TargetRow

const VIEW = 'id, name, address, port, connection, credential_id, tags, attributes, host_key, created_at, updated_at, position'

/** Paged, filtered target lists are `queryTargets` in target-filter-sql.ts; this is by id. */
export const targetsByIds = (db: Queryable, ids: ReadonlyArray<string>): Promise<TargetView[]> => rowsByIds<TargetView>(db, 'targets', VIEW, ids)
