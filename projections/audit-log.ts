import type { Actor, EventMeta, RecordedEvent } from '../domains/shared/index.ts'
import type { EventRow } from './event-store.ts'
import type { Queryable } from './projection.ts'
import { typeCondition, type TypeSelector } from './event-type-patterns.ts'

export { verifyAuditChain, type ChainVerdict } from './audit-chain.ts'

/**
 * The audit log is the events table itself: these are its read queries (GraphQL `auditLog`,
 * the HTTP export, subscription catch-up). Every page is a keyset page on (position, idx), so
 * paging stays cheap and stable however deep it goes and however fast the log grows.
 */
export interface AuditFilter {
  readonly types?: TypeSelector
  readonly actorId?: string | null
  readonly stream?: string | null
  /** ISO instants: `from` inclusive, `to` exclusive, on the event's occurredAt. */
  readonly from?: string | null
  readonly to?: string | null
}

export type AuditOrder = 'ASC' | 'DESC'

/** A place in the log: the event at `index` within the message at `position`. */
export interface AuditKey {
  readonly position: number
  readonly index: number
}

/** Past every event of a message (idx is a smallint). */
export const AFTER_WHOLE_POSITION = 32_767

export interface AuditEntry {
  readonly position: number
  readonly index: number
  readonly id: string
  readonly type: string
  readonly stream: string
  readonly occurredAt: string
  /** Who: a user, an API token or the system (kind, id, name). */
  readonly actor: Actor | null
  /** From where, when the command came over HTTP. */
  readonly origin: { readonly ip: string | null; readonly userAgent: string | null } | null
  readonly commandId: string | null
  readonly correlationId: string | null
  readonly causationId: string | null
  /** The event's data with secret material withheld (see `withholdSecrets`). */
  readonly data: unknown
  /**
   * The stored chain link (hex). `npm run audit:verify` checks the chain where the events are
   * stored; an entry whose data had material withheld cannot be re-hashed from an export.
   */
  readonly hash: string | null
}

// Fields that are not plain-text secrets but must not leave the server either: a password hash
// can be cracked offline, a token hash confirms a guessed token.
const WITHHELD_FIELDS = new Set(['passwordHash', 'tokenHash'])
const WITHHELD = '[withheld]'

/**
 * Event data as the audit log shows it to any reader (viewers included): hashes of passwords
 * and tokens replaced by a marker, sealed secrets (AES-GCM ciphertext, e.g. a credential or a
 * SECRET job parameter) reduced to the id of the key that sealed them.
 */
export const withholdSecrets = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(withholdSecrets)
  if (value === null || typeof value !== 'object') return value
  const record = value as Record<string, unknown>
  if (typeof record.ciphertext === 'string') return { sealed: true, ...(typeof record.keyId === 'string' ? { keyId: record.keyId } : {}) }
  const out: Record<string, unknown> = {}
  for (const [key, inner] of Object.entries(record)) out[key] = WITHHELD_FIELDS.has(key) ? WITHHELD : withholdSecrets(inner)
  return out
}

export interface AuditPageRequest {
  readonly filter: AuditFilter
  readonly order: AuditOrder
  /** Exclusive: the page starts just past this key in `order`. */
  readonly after: AuditKey | null
  readonly limit: number
  /** Ignore anything past this position (a fixed end for exports and catch-up). */
  readonly upTo?: number | null
}

type AuditRow = EventRow & { hash: Buffer | null }

export const readAuditPage = async (db: Queryable, request: AuditPageRequest): Promise<AuditEntry[]> => {
  const params: unknown[] = []
  const where: string[] = []
  const { filter, order, after } = request
  const types = typeCondition(filter.types ?? null, params)
  if (types) where.push(types)
  if (filter.actorId) where.push(`actor_id = $${params.push(filter.actorId)}`)
  if (filter.stream) where.push(`stream = $${params.push(filter.stream)}`)
  if (filter.from) where.push(`occurred_at >= $${params.push(filter.from)}::timestamptz`)
  if (filter.to) where.push(`occurred_at < $${params.push(filter.to)}::timestamptz`)
  if (request.upTo != null) where.push(`position <= $${params.push(request.upTo)}`)
  if (after) {
    const p = params.push(after.position)
    const i = params.push(after.index)
    where.push(`(position, idx) ${order === 'ASC' ? '>' : '<'} ($${p}::bigint, $${i}::int)`)
  }
  const direction = order === 'ASC' ? 'ASC' : 'DESC'
  const { rows } = await db.query<AuditRow>(
    `SELECT position, idx, id, stream, type, data, meta, hash FROM events
     ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY position ${direction}, idx ${direction} LIMIT $${params.push(request.limit)}`,
    params
  )
  return rows.map(toAuditEntry)
}

/** How far the sink has committed: every row up to it is visible (same transaction). */
export const readCommittedPosition = async (db: Queryable): Promise<number> => {
  const { rows } = await db.query<{ position: number }>(`SELECT position FROM checkpoints WHERE name = 'sink'`)
  return rows[0]?.position ?? 0
}

const toAuditEntry = (r: AuditRow): AuditEntry =>
  auditEntry({ position: r.position, index: r.idx, id: r.id, stream: r.stream, type: r.type, data: r.data, meta: r.meta }, r.hash)

/** The audit view of an event (also used for live events, which carry no stored hash). */
export const auditEntry = (e: RecordedEvent, hash: Buffer | null = null): AuditEntry => {
  const actor = e.meta?.actor ?? null
  return {
    position: e.position,
    index: e.index,
    id: e.id,
    type: e.type,
    stream: e.stream,
    occurredAt: e.meta?.occurredAt ?? '',
    actor,
    origin: actor && (actor.ip || actor.userAgent) ? { ip: actor.ip ?? null, userAgent: actor.userAgent ?? null } : null,
    commandId: e.meta?.commandId ?? null,
    correlationId: e.meta?.correlationId ?? null,
    causationId: e.meta?.causationId ?? null,
    data: withholdSecrets(e.data ?? null),
    hash: hash ? hash.toString('hex') : null
  }
}

/**
 * Every matching entry up to `upTo`, one page at a time: the caller holds one page in memory,
 * never the whole result. Each page is its own short query, so no transaction stays open while
 * a slow client reads.
 */
export async function* auditPages(
  db: Queryable,
  filter: AuditFilter,
  options: { readonly order: AuditOrder; readonly upTo: number; readonly pageSize?: number }
): AsyncGenerator<AuditEntry[]> {
  const limit = options.pageSize ?? 1_000
  let after: AuditKey | null = null
  for (;;) {
    const page = await readAuditPage(db, { filter, order: options.order, after, limit, upTo: options.upTo })
    if (page.length > 0) yield page
    if (page.length < limit) return
    const last = page[page.length - 1]!
    after = { position: last.position, index: last.index }
  }
}
