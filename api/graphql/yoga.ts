import type { FastifyReply, FastifyRequest } from 'fastify'
import type { GraphQLSchema } from 'graphql'
import { createYoga, type YogaServerInstance } from 'graphql-yoga'
import type { Logger } from '../../runtime/logger.ts'
import type { Platform } from '../../runtime/platform.ts'
import { readCookie } from '../auth/cookies.ts'
import type { AuthService } from '../auth/service.ts'
import type { ApiContext, RequestInfo } from './context.ts'
import { createLoaders } from './loaders.ts'
import { OutputBudget } from '../execution-output.ts'
import { useInputErrors } from './plugins/input-errors.ts'
import { useQueryLimits } from './plugins/limits.ts'
import { useWarnings } from './plugins/warnings.ts'
import { makeRunCommand } from './run-command.ts'

export interface ServerContext {
  readonly req: FastifyRequest
  readonly reply: FastifyReply
}

export const GRAPHQL_PATH = '/graphql'
export const MAX_BODY_BYTES = 1024 * 1024

const header = (req: FastifyRequest, name: string): string | undefined => {
  const value = req.headers[name]
  return Array.isArray(value) ? value[0] : value
}

/** Subscriptions check their caller's credentials again this often (SSE and WebSocket alike). */
export const SUBSCRIPTION_RECHECK_MS = 30_000

/** Everything a resolver may use for one request: who is calling, from where, and the services. */
export const contextFor = async (
  platform: Platform,
  auth: AuthService,
  { req, reply }: ServerContext,
  recheckMs = SUBSCRIPTION_RECHECK_MS
): Promise<ApiContext> => {
  const authorization = header(req, 'authorization')
  const { principal, rejected } = await auth.principals.identify(authorization)
  const request: RequestInfo = {
    ip: req.ip,
    userAgent: header(req, 'user-agent'),
    secure: req.protocol === 'https',
    idempotencyKey: header(req, 'idempotency-key'),
    cookie: (name) => readCookie(header(req, 'cookie'), name),
    setCookie: (value) => void reply.header('set-cookie', value)
  }
  const warnings: ApiContext['warnings'] = []
  return {
    principal,
    credentialsRejected: rejected,
    request,
    platform,
    runCommand: makeRunCommand(platform, principal, request, warnings),
    auth,
    loaders: createLoaders(platform.pool),
    outputBudget: new OutputBudget(),
    reidentify: async () => (await auth.principals.identify(authorization)).principal,
    recheckMs,
    warnings
  }
}

/** What an unexpected error leaves behind: its message in the log, never in the answer. */
export const logUnexpected = (logger: Logger, error: unknown): void =>
  logger.error({ err: error instanceof Error ? error.message : String(error) }, 'unexpected GraphQL error')

export const createGraphQL = (deps: {
  schema: GraphQLSchema
  platform: Platform
  auth: AuthService
  logger: Logger
  recheckMs?: number | undefined
}): YogaServerInstance<ServerContext, ApiContext> =>
  createYoga<ServerContext, ApiContext>({
    schema: deps.schema,
    graphqlEndpoint: GRAPHQL_PATH,
    graphiql: false,
    landingPage: false,
    // Same-origin only: no CORS headers are ever granted (see security.ts).
    cors: false,
    batching: false,
    maxRequestBodySize: MAX_BODY_BYTES,
    // Expected failures are GraphQLErrors with a code; anything else becomes "Unexpected error."
    // with the details only in the log, also in development.
    maskedErrors: { isDev: false },
    // Yoga logs per request at debug level: format nothing unless that level is on.
    logging: {
      debug: (...args: unknown[]) => void (deps.logger.isLevelEnabled('debug') && deps.logger.debug({ yoga: args.map(String) })),
      info: (...args: unknown[]) => void (deps.logger.isLevelEnabled('info') && deps.logger.info({ yoga: args.map(String) })),
      warn: (...args: unknown[]) => deps.logger.warn({ yoga: args.map(String) }),
      error: (...args: unknown[]) => logUnexpected(deps.logger, args[0])
    },
    plugins: [useQueryLimits(), useInputErrors(), useWarnings()],
    context: (initial) => contextFor(deps.platform, deps.auth, initial, deps.recheckMs)
  })
