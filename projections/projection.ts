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
  /**
   * A condition on a row (SQL) under which a periodic clean-up deletes it, though no event
   * removed it. A rebuild applies the same clean-up, so rebuilt rows still equal the live ones.
   */
  readonly expiredWhen?: string
}

export type Queryable = Pick<PoolClient | Client, 'query'>

/** A SQL identifier, quoted. */
export const quote = (name: string): string => `"${name.replace(/"/g, '""')}"`

/** A JSON document as a dollar-quoted SQL literal: no per-character escaping of large batches. */
export const jsonLiteral = (value: object): string => {
  // JSON of an array or object ends in `]` or `}`, so no tag made of `$` and letters can be
  // formed across the closing boundary; only a tag inside the text itself must be avoided.
  const text = JSON.stringify(value)
  let tag = 'ops'
  while (text.includes(`$${tag}$`)) tag += 'x'
  return `$${tag}$${text}$${tag}$::jsonb`
}

/** A short text as an SQL literal; the escape-string form whenever a backslash is in it. */
export const textLiteral = (text: string): string =>
  text.includes('\\') ? ` E'${text.replace(/\\/g, '\\\\').replace(/'/g, "''")}'` : `'${text.replace(/'/g, "''")}'`

/** What one projection needs from the database before it can evolve its rows: one SELECT. */
export interface ProjectionRead {
  /** The table the batch changes (its read model's version moves with it). */
  readonly table: string
  readonly sql: string | null
  /** Given that SELECT's rows (or none), the statements that write the batch. */
  readonly writes: (rows: ReadonlyArray<Row>) => string[]
}

/**
 * Plans a batch for one projection as plain SQL text, so the sink can send the reads of every
 * projection in one round trip and the writes of every projection in another: on this kind of
 * machine each socket write costs tens of microseconds, more than the statements themselves.
 * `table` can be overridden so a rebuild writes into a fresh table with the same shape.
 */
export const planProjection = <R extends Row>(projection: DocumentProjection<R>, events: ReadonlyArray<RecordedEvent>, table: string = projection.table): ProjectionRead | null => {
  const relevant = events.filter((e) => projection.canHandle.has(e.type))
  if (relevant.length === 0) return null
  const firstType = new Map<string, string>()
  for (const e of relevant) for (const key of projection.keysOf(e)) if (!firstType.has(key)) firstType.set(key, e.type)
  if (firstType.size === 0) return null
  const t = quote(table)
  const k = quote(projection.key)
  const toRead = [...firstType].filter(([, type]) => !projection.createdBy?.has(type)).map(([key]) => key)
  return {
    table: projection.table,
    sql: toRead.length === 0 ? null : `SELECT * FROM ${t} WHERE ${k} = ANY(ARRAY[${toRead.map(textLiteral).join(',')}]::${projection.keyType}[])`,
    writes: (rows) => {
      const current = new Map<string, R | null>(rows.map((r) => [String(r[projection.key]), r as R]))
      const existed = new Set(current.keys())
      for (const event of relevant) {
        for (const key of projection.keysOf(event)) current.set(key, projection.evolve(current.get(key) ?? null, event, key))
      }
      const upserts: Row[] = []
      const deletes: string[] = []
      for (const [key, row] of current) {
        if (row) upserts.push(pick(row, projection.columns))
        else if (existed.has(key)) deletes.push(key)
      }
      const statements: string[] = []
      if (deletes.length > 0) statements.push(`DELETE FROM ${t} WHERE ${k} = ANY(ARRAY[${deletes.map(textLiteral).join(',')}]::${projection.keyType}[])`)
      if (upserts.length > 0) {
        const cols = projection.columns.map(quote)
        const updates = cols.filter((c) => c !== k).map((c) => `${c} = EXCLUDED.${c}`)
        statements.push(
          `INSERT INTO ${t} (${cols.join(', ')})
           SELECT ${cols.join(', ')} FROM jsonb_populate_recordset(NULL::${t}, ${jsonLiteral(upserts)})
           ON CONFLICT (${k}) DO ${updates.length > 0 ? `UPDATE SET ${updates.join(', ')}` : 'NOTHING'}`
        )
      }
      return statements
    }
  }
}

/** Applies a batch of events to one projection, statement by statement (rebuilds and tests). */
export const applyProjection = async <R extends Row>(
  db: Queryable,
  projection: DocumentProjection<R>,
  events: ReadonlyArray<RecordedEvent>,
  table: string = projection.table
): Promise<void> => {
  const plan = planProjection(projection, events, table)
  if (!plan) return
  const rows = plan.sql ? ((await db.query(plan.sql)).rows as Row[]) : []
  for (const statement of plan.writes(rows)) await db.query(statement)
}

const pick = (row: Row, columns: ReadonlyArray<string>): Row => {
  const out: Row = {}
  for (const c of columns) out[c] = row[c] ?? null
  return out
}
