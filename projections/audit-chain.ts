import type { EventMeta, RecordedEvent } from '../domains/shared/index.ts'
import { chainHash, GENESIS_HASH } from './canonical.ts'
import type { EventRow } from './event-store.ts'
import type { Queryable } from './projection.ts'
import { SINK_CHECKPOINT } from './sink.ts'

export type ChainVerdict =
  | { readonly ok: true; readonly count: number; readonly lastPosition: number }
  | {
      readonly ok: false
      /** First event whose stored link does not follow from the rows before it. */
      readonly position: number
      /** null when the break is past the last row (rows removed from the end). */
      readonly index: number | null
      readonly stored: string
      readonly expected: string
      /** Events verified intact before the break. */
      readonly count: number
    }

type ChainRow = EventRow & { hash: Buffer }

const PAGE = 2_000

/**
 * Recomputes the hash chain from the genesis over the events table in (position, idx) order
 * and reports the first break. Editing a row breaks its own link, deleting one breaks the next
 * row's link, and removing rows from the end is caught by the sink checkpoint's last hash.
 * Only rows up to the checkpoint read first are checked, so a running sink does not disturb it.
 */
export const verifyAuditChain = async (db: Queryable, options: { readonly pageSize?: number } = {}): Promise<ChainVerdict> => {
  const checkpoint = await db.query<{ position: number; last_hash: Buffer | null }>(
    'SELECT position, last_hash FROM checkpoints WHERE name = $1',
    [SINK_CHECKPOINT]
  )
  const upTo = checkpoint.rows[0]?.position ?? Number.MAX_SAFE_INTEGER
  const pageSize = options.pageSize ?? PAGE
  let previous: Buffer = GENESIS_HASH
  let count = 0
  let lastPosition = 0
  let after = { position: 0, index: -1 }
  for (;;) {
    const { rows } = await db.query<ChainRow>(
      `SELECT position, idx, id, stream, type, data, meta, hash FROM events
       WHERE (position, idx) > ($1::bigint, $2::int) AND position <= $3
       ORDER BY position, idx LIMIT $4`,
      [after.position, after.index, upTo, pageSize]
    )
    for (const row of rows) {
      const expected = expectedLink(previous, row)
      if (!expected.equals(row.hash)) {
        return { ok: false, position: row.position, index: row.idx, stored: row.hash.toString('hex'), expected: expected.toString('hex'), count }
      }
      previous = row.hash
      count += 1
      lastPosition = row.position
    }
    if (rows.length < pageSize) break
    const last = rows[rows.length - 1]!
    after = { position: last.position, index: last.idx }
  }
  const anchor = checkpoint.rows[0]?.last_hash
  if (anchor && !anchor.equals(previous)) {
    return { ok: false, position: lastPosition + 1, index: null, stored: anchor.toString('hex'), expected: previous.toString('hex'), count }
  }
  return { ok: true, count, lastPosition }
}

/**
 * The sink hashes the event as it came off the bus and stores `data ?? null`: an event without
 * data was hashed with the key absent, so a stored null may stand for either form.
 */
const expectedLink = (previous: Buffer, row: ChainRow): Buffer => {
  const event: RecordedEvent = { position: row.position, index: row.idx, id: row.id, stream: row.stream, type: row.type, data: row.data, meta: row.meta }
  const link = chainHash(previous, event)
  if (row.data !== null || link.equals(row.hash)) return link
  const withoutData = chainHash(previous, { ...event, data: undefined })
  return withoutData.equals(row.hash) ? withoutData : link
}
