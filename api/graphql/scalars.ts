import { GraphQLScalarType, Kind, type ValueNode } from 'graphql'

// Plain errors: GraphQL wraps them with the offending node, so the input-errors plugin can name the argument.
const invalid = (message: string) => new TypeError(message)

// A time zone is required: a bare local time means different instants on different machines.
const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/

const daysIn = (year: number, month: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate()

/**
 * The fields must name a real moment as written: Date.parse would roll 2027-02-31 over into
 * March and 24:00 into the next day, and PostgreSQL refuses years outside 1–9999 after the shift
 * to UTC.
 */
const parseDateTime = (value: unknown): string => {
  const m = typeof value === 'string' ? ISO_DATE_TIME.exec(value) : null
  const [year, month, day, hour, minute, second] = (m?.slice(1, 7) ?? []).map((part) => Number(part ?? 0))
  const real =
    m !== null && month! >= 1 && month! <= 12 && day! >= 1 && day! <= daysIn(year!, month!) && hour! <= 23 && minute! <= 59 && second! <= 59
  const instant = real ? new Date(value as string) : null
  if (!instant || Number.isNaN(instant.getTime()))
    throw invalid('must be an ISO 8601 date-time with a time zone, e.g. 2030-01-31T12:00:00Z')
  const utcYear = instant.getUTCFullYear()
  if (utcYear < 1 || utcYear > 9999) throw invalid('must lie between the years 0001 and 9999')
  return instant.toISOString()
}

/** Instants as ISO 8601 in UTC; inputs are normalised to the same canonical form. */
export const DateTime = new GraphQLScalarType({
  name: 'DateTime',
  description: 'An instant, ISO 8601 with a time zone (answers are always UTC, e.g. 2030-01-31T12:00:00.000Z).',
  serialize: (value) => (value instanceof Date ? value.toISOString() : typeof value === 'string' ? new Date(value).toISOString() : null),
  parseValue: parseDateTime,
  parseLiteral: (ast) => parseDateTime(ast.kind === Kind.STRING ? ast.value : undefined)
})

const MAX_JSON_DEPTH = 16

const literal = (ast: ValueNode, variables: Record<string, unknown> | null | undefined, depth: number): unknown => {
  if (depth > MAX_JSON_DEPTH) throw invalid(`is nested deeper than ${MAX_JSON_DEPTH} levels`)
  switch (ast.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return ast.value
    case Kind.INT:
    case Kind.FLOAT:
      return Number(ast.value)
    case Kind.NULL:
      return null
    case Kind.ENUM:
      return ast.value
    case Kind.LIST:
      return ast.values.map((v) => literal(v, variables, depth + 1))
    case Kind.OBJECT:
      return Object.fromEntries(ast.fields.map((f) => [f.name.value, literal(f.value, variables, depth + 1)]))
    case Kind.VARIABLE:
      return variables?.[ast.name.value]
    default:
      return ast satisfies never
  }
}

const depthOf = (value: unknown, depth = 0): number => {
  if (depth > MAX_JSON_DEPTH || value === null || typeof value !== 'object') return depth
  let max = depth
  for (const item of Object.values(value)) max = Math.max(max, depthOf(item, depth + 1))
  return max
}

/** Any JSON value (job steps, parameters, target attributes): the domain validates the shape. */
export const JSONScalar = new GraphQLScalarType({
  name: 'JSON',
  description: 'Any JSON value.',
  serialize: (value) => value,
  parseValue: (value) => {
    if (depthOf(value) > MAX_JSON_DEPTH) throw invalid(`is nested deeper than ${MAX_JSON_DEPTH} levels`)
    return value
  },
  parseLiteral: (ast, variables) => literal(ast, variables, 0)
})
