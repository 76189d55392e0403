import { readAuditPage, type AuditEntry, type AuditKey, type AuditOrder } from '../../../projections/audit-log.ts'
import { invalidTypeSelector } from '../../../projections/event-type-patterns.ts'
import type { ApiContext } from '../context.ts'
import { badInput } from '../errors.ts'
import type { ApiModule } from '../module.ts'

const typeDefs = /* GraphQL */ `
  enum AuditOrder {
    "Oldest first."
    ASC
    "Newest first (what an operator usually wants to see)."
    DESC
  }

  "Where a command came from, when it came over HTTP."
  type AuditOrigin {
    ip: String
    userAgent: String
  }

  """
  One stored event: what (type, data), on which stream, when (occurredAt), who (actor: kind
  user|token|system, id, name) and from where (origin). The audit log is the event stream itself.
  """
  type AuditEntry {
    "Global position (the sequence of the bus message that carried the event)."
    position: Int!
    "Index of the event within its message."
    index: Int!
    id: ID!
    type: String!
    stream: String!
    occurredAt: DateTime!
    actor: JSON
    origin: AuditOrigin
    commandId: ID
    correlationId: ID
    causationId: ID
    data: JSON
  }

  type AuditEdge {
    node: AuditEntry!
    cursor: String!
  }

  type AuditConnection {
    edges: [AuditEdge!]!
    pageInfo: PageInfo!
  }

  type Query {
    """
    The audit log, newest first by default. \`type\` takes an exact event type or a *-pattern
    (\`Execution*\`); \`from\` is inclusive, \`to\` exclusive; \`after\` is an \`endCursor\` from a
    listing in the same order. For bulk copies use GET /audit/export.
    """
    auditLog(
      type: String
      actorId: ID
      stream: String
      from: DateTime
      to: DateTime
      order: AuditOrder = DESC
      first: Int = 50
      after: String
    ): AuditConnection! @auth(requires: VIEWER)
  }
`

interface AuditLogArgs {
  readonly type?: string | null
  readonly actorId?: string | null
  readonly stream?: string | null
  readonly from?: unknown
  readonly to?: unknown
  readonly order?: AuditOrder | null
  readonly first?: number | null
  readonly after?: string | null
}

const MAX_PAGE = 500

/** Cursors carry the order they were made for: a DESC cursor means "older than", an ASC one "newer than". */
export const encodeAuditCursor = (order: AuditOrder, key: AuditKey): string =>
  Buffer.from(JSON.stringify([order === 'ASC' ? 'a' : 'd', key.position, key.index])).toString('base64url')

export const decodeAuditCursor = (cursor: string, order: AuditOrder): AuditKey => {
  let value: unknown
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
  } catch {
    throw badInput('after', 'is not a cursor returned by auditLog (use pageInfo.endCursor)')
  }
  // Positions are bigint, indexes smallint: anything outside cannot come from a real entry.
  const fits = (n: unknown, max: number) => Number.isSafeInteger(n) && (n as number) >= 0 && (n as number) <= max
  if (!Array.isArray(value) || value.length !== 3 || !['a', 'd'].includes(value[0]) || !fits(value[1], Number.MAX_SAFE_INTEGER) || !fits(value[2], 32_767)) {
    throw badInput('after', 'is not a cursor returned by auditLog (use pageInfo.endCursor)')
  }
  if ((value[0] === 'a') !== (order === 'ASC')) throw badInput('after', `the cursor comes from a listing in the other order than ${order}`)
  return { position: value[1], index: value[2] }
}

/** DateTime arguments arrive as Date or ISO text depending on the scalar; the query wants ISO. */
const instant = (field: string, value: unknown): string | null => {
  if (value === null || value === undefined) return null
  const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : null
  if (!date || Number.isNaN(date.getTime())) throw badInput(field, 'is not a date-time')
  return date.toISOString()
}

const auditLog = async (_: unknown, args: AuditLogArgs, context: ApiContext) => {
  const order = args.order ?? 'DESC'
  const first = args.first ?? 50
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE) throw badInput('first', `must be a whole number from 1 to ${MAX_PAGE} (got ${first})`)
  const types = args.type ? [args.type] : null
  const invalid = invalidTypeSelector(types)
  if (invalid) throw badInput('type', invalid)
  const filter = { types, actorId: args.actorId ?? null, stream: args.stream ?? null, from: instant('from', args.from), to: instant('to', args.to) }
  const after = args.after ? decodeAuditCursor(args.after, order) : null
  // One extra row tells whether another page follows, without a count over the whole log.
  const rows = await readAuditPage(context.platform.pool, { filter, order, after, limit: first + 1 })
  const page = rows.slice(0, first)
  const edges = page.map((node: AuditEntry) => ({ node, cursor: encodeAuditCursor(order, node) }))
  return { edges, pageInfo: { hasNextPage: rows.length > first, endCursor: edges[edges.length - 1]?.cursor ?? null } }
}

export const auditModule: ApiModule = {
  typeDefs,
  resolvers: { Query: { auditLog } }
}
