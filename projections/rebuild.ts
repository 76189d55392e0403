import type { RecordedEvent } from '../domains/shared/index.ts'
import { inTransaction, tryAdvisoryLock, type Pool, type PoolClient } from './db.ts'
import { readRange } from './event-store.ts'
import { applyProjection, quote, type DocumentProjection, type Queryable } from './projection.ts'
import { readModelVersionName, SINK_CHECKPOINT } from './sink.ts'

export interface RebuildReport {
  readonly events: number
  readonly upTo: number
  readonly seconds: number
  /** Rows that differ between the live and the rebuilt table (both directions), per table. */
  readonly differences: Record<string, number>
  readonly swapped: boolean
}

const PAGE_POSITIONS = 20_000
const fresh = (table: string) => `${table}__rebuild`
const q = quote

const replay = async (db: Queryable, projections: ReadonlyArray<DocumentProjection>, events: ReadonlyArray<RecordedEvent>) => {
  for (const p of projections) await applyProjection(db, p, events, fresh(p.table))
}

/** Outside the swap, each projection writes its own fresh table: they can run side by side. */
const replayInParallel = (pool: Pool, projections: ReadonlyArray<DocumentProjection>, events: ReadonlyArray<RecordedEvent>) =>
  Promise.all(projections.map((p) => applyProjection(pool, p, events, fresh(p.table))))

const checkpointOf = async (db: Queryable): Promise<number> => {
  const { rows } = await db.query('SELECT position FROM checkpoints WHERE name = $1', [SINK_CHECKPOINT])
  return (rows[0] as { position: number } | undefined)?.position ?? 0
}

/**
 * Rebuilds read models from the event store into fresh tables of the same shape, then swaps
 * them in. The live sink keeps running: the bulk replay happens outside any lock, and only the
 * last stretch (events the sink committed meanwhile) is replayed inside the swap transaction,
 * which holds the live tables exclusively so the sink waits for a moment instead of racing.
 */
export const rebuildProjections = async (
  pool: Pool,
  projections: ReadonlyArray<DocumentProjection>,
  options: { readonly swap: boolean; readonly log?: (m: string) => void }
): Promise<RebuildReport> => {
  // Two rebuilds would replay into the same fresh tables and swap in a mix of both.
  const guard = await pool.connect()
  try {
    if (!(await tryAdvisoryLock(guard, REBUILD_LOCK))) throw new RebuildRunning()
    try {
      return await rebuildExclusively(pool, projections, options)
    } finally {
      await guard.query('SELECT pg_advisory_unlock($1)', [REBUILD_LOCK])
    }
  } finally {
    guard.release()
  }
}

const REBUILD_LOCK = 7_311_004

export class RebuildRunning extends Error {
  constructor() {
    super('another projection rebuild is running; try again once it has finished')
  }
}

const rebuildExclusively = async (
  pool: Pool,
  projections: ReadonlyArray<DocumentProjection>,
  options: { readonly swap: boolean; readonly log?: (m: string) => void }
): Promise<RebuildReport> => {
  const started = performance.now()
  const log = options.log ?? (() => undefined)
  // Fresh tables start with their primary key only: secondary indexes (GIN on tags and
  // attributes, name patterns…) are built once after the bulk replay, not row by row.
  const secondary = new Map<string, Array<{ name: string; definition: string }>>()
  for (const p of projections) {
    await pool.query(`DROP TABLE IF EXISTS ${q(fresh(p.table))}`)
    await pool.query(`CREATE TABLE ${q(fresh(p.table))} (LIKE ${q(p.table)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`)
    await pool.query(`ALTER TABLE ${q(fresh(p.table))} ADD CONSTRAINT ${q(`${p.table}__rebuild_pkey`)} PRIMARY KEY (${q(p.key)})`)
    secondary.set(p.table, await secondaryIndexes(pool, p.table))
  }
  let events = 0
  let done = 0
  const bulkUpTo = await checkpointOf(pool)
  // Reading the next page overlaps with writing the current one.
  let next = done < bulkUpTo ? readRange(pool, done, Math.min(done + PAGE_POSITIONS, bulkUpTo)) : null
  while (next) {
    const upTo = Math.min(done + PAGE_POSITIONS, bulkUpTo)
    const page = await next
    next = upTo < bulkUpTo ? readRange(pool, upTo, Math.min(upTo + PAGE_POSITIONS, bulkUpTo)) : null
    await replayInParallel(pool, projections, page)
    events += page.length
    done = upTo
    log(`replayed up to position ${done} of ${bulkUpTo} (${events} events)`)
  }
  for (const p of projections) {
    for (const index of secondary.get(p.table) ?? []) await pool.query(onFreshTable(index, p.table))
  }
  const client = await pool.connect()
  try {
    return await inTransaction(client, async () => {
      const tables = projections.map((p) => q(p.table)).join(', ')
      await client.query(`LOCK TABLE ${tables} IN ACCESS EXCLUSIVE MODE`)
      const upTo = await checkpointOf(client)
      const tail = await readRange(pool, done, upTo)
      await replay(client, projections, tail)
      events += tail.length
      for (const p of projections) if (p.expiredWhen) await client.query(`DELETE FROM ${q(fresh(p.table))} WHERE ${p.expiredWhen}`)
      const differences = await compare(client, projections)
      if (options.swap) {
        for (const p of projections) {
          await client.query(`ALTER TABLE ${q(p.table)} RENAME TO ${q(`${p.table}__old`)}`)
          await client.query(`ALTER TABLE ${q(fresh(p.table))} RENAME TO ${q(p.table)}`)
          await client.query(`DROP TABLE ${q(`${p.table}__old`)}`)
          // Index names are free again: give the new ones the names the migrations chose.
          await client.query(`ALTER INDEX ${q(`${p.table}__rebuild_pkey`)} RENAME TO ${q(`${p.table}_pkey`)}`)
          for (const index of secondary.get(p.table) ?? []) await client.query(`ALTER INDEX ${q(`${index.name}__rebuild`)} RENAME TO ${q(index.name)}`)
          // New rows under the same name: whatever readers derived from the old table is stale.
          await client.query(
            `INSERT INTO checkpoints (name, position, updated_at) VALUES ($1, $2, now())
             ON CONFLICT (name) DO UPDATE SET updated_at = now()`,
            [readModelVersionName(p.table), upTo]
          )
        }
      } else {
        for (const p of projections) await client.query(`DROP TABLE ${q(fresh(p.table))}`)
      }
      return { events, upTo, seconds: (performance.now() - started) / 1000, differences, swapped: options.swap }
    })
  } finally {
    client.release()
  }
}

const secondaryIndexes = async (pool: Pool, table: string) => {
  const { rows } = await pool.query<{ indexname: string; indexdef: string }>(
    `SELECT i.indexname, i.indexdef FROM pg_indexes i
      WHERE i.schemaname = current_schema() AND i.tablename = $1
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname AND c.contype = 'p')`,
    [table]
  )
  return rows.map((r) => ({ name: r.indexname, definition: r.indexdef }))
}

/** The live index's definition, pointed at the fresh table under a temporary name. */
const onFreshTable = (index: { name: string; definition: string }, table: string): string => {
  const on = new RegExp(`^(CREATE (?:UNIQUE )?INDEX )(\\S+)( ON (?:\\S+\\.)?)${table}( .*)$`)
  const m = on.exec(index.definition)
  if (!m) throw new Error(`cannot rebuild index ${index.name}: unexpected definition ${index.definition}`)
  return `${m[1]}${q(`${index.name}__rebuild`)}${m[3]!.replace(/\S+\.$/, '').replace(/ ON $/, ' ON ')}${q(fresh(table))}${m[4]}`
}

const compare = async (client: PoolClient, projections: ReadonlyArray<DocumentProjection>): Promise<Record<string, number>> => {
  const out: Record<string, number> = {}
  for (const p of projections) {
    const live = q(p.table)
    const rebuilt = q(fresh(p.table))
    const { rows } = await client.query<{ n: number }>(
      `SELECT ((SELECT count(*) FROM (SELECT * FROM ${live} EXCEPT SELECT * FROM ${rebuilt}) a)
             + (SELECT count(*) FROM (SELECT * FROM ${rebuilt} EXCEPT SELECT * FROM ${live}) b))::int AS n`
    )
    out[p.table] = rows[0]?.n ?? 0
  }
  return out
}
