import type { RecordedEvent } from '../domains/shared/index.ts'
import { inTransaction, type Pool, type PoolClient } from './db.ts'
import { readRange } from './event-store.ts'
import { applyProjection, type DocumentProjection, type Queryable } from './projection.ts'
import { SINK_CHECKPOINT } from './sink.ts'

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
const q = (name: string) => `"${name.replace(/"/g, '""')}"`

const replay = async (db: Queryable, projections: ReadonlyArray<DocumentProjection>, events: ReadonlyArray<RecordedEvent>) => {
  for (const p of projections) await applyProjection(db, p, events, fresh(p.table))
}

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
  const started = performance.now()
  const log = options.log ?? (() => undefined)
  for (const p of projections) {
    await pool.query(`DROP TABLE IF EXISTS ${q(fresh(p.table))}`)
    await pool.query(`CREATE TABLE ${q(fresh(p.table))} (LIKE ${q(p.table)} INCLUDING ALL)`)
  }
  let events = 0
  let done = 0
  const bulkUpTo = await checkpointOf(pool)
  while (done < bulkUpTo) {
    const upTo = Math.min(done + PAGE_POSITIONS, bulkUpTo)
    const page = await readRange(pool, done, upTo)
    await replay(pool, projections, page)
    events += page.length
    done = upTo
    log(`replayed up to position ${done} of ${bulkUpTo} (${events} events)`)
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
      const differences = await compare(client, projections)
      if (options.swap) {
        for (const p of projections) {
          await client.query(`ALTER TABLE ${q(p.table)} RENAME TO ${q(`${p.table}__old`)}`)
          await client.query(`ALTER TABLE ${q(fresh(p.table))} RENAME TO ${q(p.table)}`)
          await client.query(`DROP TABLE ${q(`${p.table}__old`)}`)
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
