import type { RecordedEvent } from '../domains/shared/index.ts'
import type { PoolClient, Client } from './db.ts'

export type Row = Record<string, unknown>

/**
 * A read model kept as one row per key. `evolve` is pure: given the current row (or null) and
 * an event, it returns the next row, or null to delete it. The runner does the SQL in
 * set-based batches, so projections never issue a statement per event.
 */
export interface DocumentProjection<R extends Row = Row> {
  /** Also the table name. */
  readonly table: string
  readonly key: string & keyof R
  /** SQL type of the key column; the lookup casts the parameter, never the column, so the index is used. */
  readonly keyType: 'uuid' | 'text'
  /** Columns written, in table order; must include `key`. */
  readonly columns: ReadonlyArray<string & keyof R>
  readonly canHandle: ReadonlySet<string>
  /**
   * Event types that define a whole new row from nothing (e.g. `TargetRegistered`): a key whose
   * first event in the batch is one of these needs no read of its current row.
   */
  readonly createdBy?: ReadonlySet<string>
  /** The row keys an event touches (usually one). */
  readonly keysOf: (event: RecordedEvent) => ReadonlyArray<string>
  readonly evolve: (row: R | null, event: RecordedEvent, key: string) => R | null
}

export type Queryable = Pick<PoolClient | Client, 'query'>

const quote = (name: string): string => `"${name.replace(/"/g, '""')}"`

/**
 * Applies a batch of events to one projection within the caller's transaction. `table` can be
 * overridden so a rebuild writes into a fresh table with the same shape.
 */
export const applyProjection = async <R extends Row>(
  db: Queryable,
  projection: DocumentProjection<R>,
  events: ReadonlyArray<RecordedEvent>,
  table: string = projection.table
): Promise<void> => {
  const relevant = events.filter((e) => projection.canHandle.has(e.type))
  if (relevant.length === 0) return
  const firstType = new Map<string, string>()
  for (const e of relevant) for (const key of projection.keysOf(e)) if (!firstType.has(key)) firstType.set(key, e.type)
  if (firstType.size === 0) return
  const t = quote(table)
  const k = quote(projection.key)
  const toRead = [...firstType].filter(([, type]) => !projection.createdBy?.has(type)).map(([key]) => key)
  const rows = toRead.length === 0 ? [] : (await db.query(`SELECT * FROM ${t} WHERE ${k} = ANY($1::${projection.keyType}[])`, [toRead])).rows
  const current = new Map<string, R | null>(rows.map((r) => [String((r as Row)[projection.key]), r as R]))
  const existed = new Set(current.keys())
  for (const event of relevant) {
    for (const key of projection.keysOf(event)) current.set(key, projection.evolve(current.get(key) ?? null, event, key))
  }
  const upserts: R[] = []
  const deletes: string[] = []
  for (const [key, row] of current) {
    if (row) upserts.push(row)
    else if (existed.has(key)) deletes.push(key)
  }
  if (deletes.length > 0) await db.query(`DELETE FROM ${t} WHERE ${k} = ANY($1::${projection.keyType}[])`, [deletes])
  if (upserts.length > 0) {
    const cols = projection.columns.map(quote)
    const updates = cols.filter((c) => c !== k).map((c) => `${c} = EXCLUDED.${c}`)
    await db.query(
      `INSERT INTO ${t} (${cols.join(', ')})
       SELECT ${cols.join(', ')} FROM jsonb_populate_recordset(NULL::${t}, $1::jsonb)
       ON CONFLICT (${k}) DO ${updates.length > 0 ? `UPDATE SET ${updates.join(', ')}` : 'NOTHING'}`,
      [JSON.stringify(upserts.map((r) => pick(r, projection.columns)))]
    )
  }
}

const pick = (row: Row, columns: ReadonlyArray<string>): Row => {
  const out: Row = {}
  for (const c of columns) out[c] = row[c] ?? null
  return out
}
