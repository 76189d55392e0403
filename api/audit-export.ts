import { Readable } from 'node:stream'
import type { FastifyInstance, FastifyReply } from 'fastify'
import { auditPages, readCommittedPosition, type AuditEntry, type AuditFilter } from '../projections/audit-log.ts'
import { invalidTypeSelector } from '../projections/event-type-patterns.ts'
import type { Queryable } from '../projections/projection.ts'
import type { Principal } from './graphql/context.ts'

/** Resolves an `Authorization` header to the caller, or null when it proves nothing. */
export type Authenticate = (authorization: string | undefined) => Promise<Principal | null>

export interface AuditExportDeps {
  readonly db: Queryable
  readonly authenticate: Authenticate
  readonly pageSize?: number
}

// A bare local time would mean different instants on different machines; a bare date is UTC.
const INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/

type Query = Record<string, string | string[] | undefined>
type Format = 'ndjson' | 'csv'

const CSV_COLUMNS = [
  'position', 'index', 'id', 'occurred_at', 'type', 'stream', 'actor_kind', 'actor_id', 'actor_name',
  'ip', 'user_agent', 'command_id', 'correlation_id', 'causation_id', 'data', 'hash'
] as const

/**
 * `GET /audit/export?format=ndjson|csv&type=&actorId=&stream=&from=&to=&order=asc|desc` for any
 * authenticated caller (viewer or above). The rows up to the committed position at the start
 * are streamed in keyset pages, each written only when the client has taken the previous ones
 * (stream backpressure), so memory stays flat however large the log is.
 */
export const registerAuditExport = (app: FastifyInstance, deps: AuditExportDeps): void => {
  app.get<{ Querystring: Query }>('/audit/export', async (request, reply) => {
    const principal = await deps.authenticate(request.headers.authorization)
    if (!principal) {
      return reply.code(401).header('www-authenticate', 'Bearer').send(problem('UNAUTHENTICATED', 'a valid bearer token is required'))
    }
    const parsed = parseExportQuery(request.query)
    if (typeof parsed === 'string') return reply.code(400).send(problem('BAD_USER_INPUT', parsed))
    const upTo = await readCommittedPosition(deps.db)
    const pages = auditPages(deps.db, parsed.filter, { order: parsed.order, upTo, pageSize: deps.pageSize ?? 1_000 })
    return sendExport(reply, parsed.format, upTo, pages)
  })
}

const sendExport = (reply: FastifyReply, format: Format, upTo: number, pages: AsyncGenerator<AuditEntry[]>) => {
  async function* lines(): AsyncGenerator<string> {
    if (format === 'csv') yield csvRow(CSV_COLUMNS) + '\r\n'
    for await (const page of pages) yield page.map(format === 'csv' ? csvLine : ndjsonLine).join('')
  }
  // Byte mode with a small high-water mark: at most about one page waits ahead of the socket.
  const body = Readable.from(lines(), { objectMode: false, highWaterMark: 64 * 1024 })
  return reply
    .header('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
    .header('content-disposition', `attachment; filename="audit-upto-${upTo}.${format}"`)
    .header('cache-control', 'no-store')
    .header('x-audit-up-to', String(upTo))
    .send(body)
}

const problem = (code: string, message: string) => ({ error: { code, message } })

/** The export's options, or a message naming the offending parameter. */
export const parseExportQuery = (query: Query): { format: Format; order: 'ASC' | 'DESC'; filter: AuditFilter } | string => {
  const one = (name: string): string | null => {
    const v = query[name]
    return Array.isArray(v) ? (v[v.length - 1] ?? null) : v || null
  }
  const format = one('format') ?? 'ndjson'
  if (format !== 'ndjson' && format !== 'csv') return 'format: must be ndjson or csv'
  const order = (one('order') ?? 'asc').toUpperCase()
  if (order !== 'ASC' && order !== 'DESC') return 'order: must be asc or desc'
  const typeParam = query.type
  const types = typeParam === undefined ? null : (Array.isArray(typeParam) ? typeParam : [typeParam]).flatMap((t) => t.split(',')).filter((t) => t !== '')
  const invalid = invalidTypeSelector(types)
  if (invalid) return `type: ${invalid}`
  const times: Record<'from' | 'to', string | null> = { from: null, to: null }
  for (const name of ['from', 'to'] as const) {
    const raw = one(name)
    if (raw === null) continue
    const date = new Date(raw)
    if (!INSTANT.test(raw) || Number.isNaN(date.getTime())) return `${name}: must be an ISO 8601 date (UTC) or date-time with a time zone`
    times[name] = date.toISOString()
  }
  return { format, order, filter: { types, actorId: one('actorId'), stream: one('stream'), ...times } }
}

const ndjsonLine = (e: AuditEntry): string => JSON.stringify(e) + '\n'

const csvLine = (e: AuditEntry): string =>
  csvRow([
    e.position, e.index, e.id, e.occurredAt, e.type, e.stream, e.actor?.kind, e.actor?.id, e.actor?.name,
    e.origin?.ip, e.origin?.userAgent, e.commandId, e.correlationId, e.causationId, JSON.stringify(e.data), e.hash
  ]) + '\r\n'

export const csvRow = (cells: ReadonlyArray<unknown>): string => cells.map(csvCell).join(',')

/**
 * One RFC 4180 field. Text a spreadsheet would run as a formula (= + - @, or a leading tab or
 * CR) gets a leading apostrophe first: an audit export must not execute what an actor typed.
 */
export const csvCell = (value: unknown): string => {
  if (value === null || value === undefined) return ''
  let text = String(value)
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}
