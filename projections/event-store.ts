import type { EventBatch, RecordedEvent } from '../domains/shared/index.ts'
import type { Pool } from './db.ts'
import type { Queryable } from './projection.ts'

/** Thrown when a bus message cannot be an event batch: someone wrote to our subjects by hand. */
export class MalformedEventMessage extends Error {
  readonly _tag = 'MalformedEventMessage'
}

const decoder = new TextDecoder()

/** Decodes one bus message into its recorded events. */
export const recordedEvents = (position: number, body: Uint8Array): RecordedEvent[] => {
  let batch: EventBatch
  try {
    batch = JSON.parse(decoder.decode(body)) as EventBatch
  } catch {
    throw new MalformedEventMessage(`message ${position} is not JSON`)
  }
  if (!batch || typeof batch.stream !== 'string' || !Array.isArray(batch.events) || batch.events.length === 0 || !batch.meta) {
    throw new MalformedEventMessage(`message ${position} is not an event batch`)
  }
  return batch.events.map((e, index) => ({ id: e.id, type: e.type, data: e.data, stream: batch.stream, meta: e.meta ?? batch.meta, position, index }))
}

/** An `events` row as queries read it; the audit chain and log add its hash. */
export interface EventRow {
  position: number
  idx: number
  id: string
  stream: string
  type: string
  data: unknown
  meta: RecordedEvent['meta']
}

const toRecorded = (r: EventRow): RecordedEvent => ({
  id: r.id,
  type: r.type,
  data: r.data,
  stream: r.stream,
  meta: r.meta,
  position: r.position,
  index: r.idx
})

const COLUMNS = 'position, idx, id, stream, type, data, meta'

/** One aggregate's events in order, as far as the sink has stored them. */
export const readStream = async (pool: Pool, stream: string): Promise<RecordedEvent[]> => {
  const { rows } = await pool.query<EventRow>(`SELECT ${COLUMNS} FROM events WHERE stream = $1 ORDER BY position, idx`, [stream])
  return rows.map(toRecorded)
}

/** Several streams at once, each in order (events of different streams interleave by position). */
export const readStreams = async (db: Queryable, streams: ReadonlyArray<string>): Promise<RecordedEvent[]> => {
  if (streams.length === 0) return []
  const { rows } = await db.query<EventRow>(`SELECT ${COLUMNS} FROM events WHERE stream = ANY($1::text[]) ORDER BY position, idx`, [streams])
  return rows.map(toRecorded)
}

/**
 * The global log between two positions (after, upTo], in order. Paging by position range, not
 * by row count, so a message's events are never split across pages.
 */
export const readRange = async (pool: Pool, after: number, upTo: number): Promise<RecordedEvent[]> => {
  const { rows } = await pool.query<EventRow>(
    `SELECT ${COLUMNS} FROM events WHERE position > $1 AND position <= $2 ORDER BY position, idx`,
    [after, upTo]
  )
  return rows.map(toRecorded)
}

export const readCheckpoint = async (pool: Pool, name: string): Promise<number> => {
  const { rows } = await pool.query<{ position: number }>('SELECT position FROM checkpoints WHERE name = $1', [name])
  return rows[0]?.position ?? 0
}
