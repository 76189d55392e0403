import type { FastifyReply, FastifyRequest } from 'fastify'
import { execute, getOperationAST, parse, specifiedRules, validate, type DocumentNode, type ExecutionResult, type GraphQLError, type GraphQLSchema } from 'graphql'
import { maskError, processRegularResult } from 'graphql-yoga'
import type { ApiContext } from './context.ts'
import { recodeInputErrors, unusableText } from './plugins/input-errors.ts'
import { withWarnings } from './plugins/warnings.ts'
import { queryLimitsRule, usesIntrospection } from './plugins/limits.ts'
import { logUnexpected, type ServerContext } from './yoga.ts'
import type { Logger } from '../../runtime/logger.ts'

/**
 * The common request — a POST of `{ query, variables, operationName }` with a query or a mutation
 * that parses and validates, from a client that accepts `application/json` — executed straight
 * against the schema. Yoga's fetch-API pipeline (a WHATWG Request and Response per call, a dozen
 * plugin hooks) costs about 300 µs of CPU a request on these machines, more than most resolvers.
 *
 * Everything that decides what a client sees is Yoga's own or ours, shared with the full path:
 * the same schema (so the same @auth checks), validation rules, input-error recoding, warnings,
 * Yoga's error masking (which also logs what it masks) and its result processor (status codes,
 * body). Anything else — subscriptions, other media types, unexpected parameters, a document
 * that fails to parse or validate, anonymous introspection — returns `false` untouched and Yoga
 * answers it as before, so error answers keep their exact shape.
 */
export const directGraphQL = (deps: {
  readonly schema: GraphQLSchema
  readonly context: (server: ServerContext) => Promise<ApiContext>
  readonly logger: Logger
}) => {
  const documents = new DocumentCache(deps.schema)
  // As Yoga masks with `maskedErrors: { isDev: false }`: unexpected errors become "Unexpected
  // error." and only the log learns what they were.
  const mask = (error: GraphQLError): GraphQLError => {
    const masked = maskError(error, 'Unexpected error.', false) as GraphQLError
    if (masked !== error) logUnexpected(deps.logger, error)
    return masked
  }

  return async (req: FastifyRequest, reply: FastifyReply): Promise<boolean> => {
    if (req.method !== 'POST' || !acceptsPlainJson(req.headers.accept)) return false
    const params = plainParams(req.body)
    if (!params) return false
    const prepared = documents.get(params.query)
    if (!prepared) return false
    const operation = getOperationAST(prepared.document, params.operationName ?? undefined)
    if (!operation || operation.operation === 'subscription') return false
    let contextValue: ApiContext
    try {
      contextValue = await deps.context({ req, reply })
    } catch {
      return false // Yoga builds it again and answers the failure in its own words.
    }
    if (!contextValue.principal && prepared.introspects) return false
    let result =
      unusableText(prepared.document, params.variables) ??
      ((await execute({
        schema: deps.schema,
        document: prepared.document,
        contextValue,
        variableValues: params.variables ?? undefined,
        operationName: params.operationName ?? undefined
      })) as ExecutionResult)
    // The plugins' order in the full path: input errors, warnings, then masking.
    result = withWarnings(recodeInputErrors(result, prepared.document), contextValue.warnings)
    if (result.errors) result = { ...result, errors: result.errors.map(mask) }
    const answer = processRegularResult(result, { Response: CapturedResponse } as never, 'application/json') as unknown as CapturedResponse
    reply.status(answer.init.status ?? 200)
    for (const [name, value] of Object.entries(answer.init.headers ?? {})) reply.header(name, value)
    await reply.send(answer.body)
    return true
  }
}

interface Params {
  readonly query: string
  readonly variables?: Record<string, unknown> | null
  readonly operationName?: string | null
}

const PARAM_NAMES = new Set(['query', 'variables', 'operationName', 'extensions'])
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** The body as GraphQL-over-HTTP parameters, or null for anything Yoga should judge. */
const plainParams = (body: unknown): Params | null => {
  if (!isRecord(body) || typeof body.query !== 'string' || body.query.length === 0) return null
  for (const key of Object.keys(body)) if (!PARAM_NAMES.has(key)) return null
  const { variables, operationName, extensions } = body
  if (variables !== undefined && variables !== null && !isRecord(variables)) return null
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') return null
  if (extensions !== undefined && extensions !== null && !isRecord(extensions)) return null
  return body as unknown as Params
}

/** No Accept header, or only types that Yoga answers with `application/json`. */
const acceptsPlainJson = (accept: string | undefined): boolean => {
  if (accept === undefined) return true
  return accept
    .toLowerCase()
    .split(',')
    .every((part) => {
      const type = part.trim()
      return type === 'application/json' || type === '*/*' || type === 'application/*'
    })
}

/** The one thing Yoga's result processor does with the fetch API: build a Response. */
class CapturedResponse {
  constructor(
    readonly body: string,
    readonly init: { status?: number; headers?: Record<string, string> }
  ) {}
}

interface Prepared {
  readonly document: DocumentNode
  readonly introspects: boolean
}

const CACHE_SIZE = 1_000
const RULES = [...specifiedRules, queryLimitsRule]

/** Parsed and validated documents by query text; a failing document is remembered as null. */
class DocumentCache {
  private readonly entries = new Map<string, Prepared | null>()
  constructor(private readonly schema: GraphQLSchema) {}

  get(query: string): Prepared | null {
    let entry = this.entries.get(query)
    if (entry === undefined) {
      entry = this.prepare(query)
      if (this.entries.size >= CACHE_SIZE) this.entries.delete(this.entries.keys().next().value as string)
      this.entries.set(query, entry)
    }
    return entry
  }

  private prepare(query: string): Prepared | null {
    try {
      const document = parse(query)
      if (validate(this.schema, document, RULES).length > 0) return null
      return { document, introspects: usesIntrospection(document) }
    } catch {
      return null
    }
  }
}
