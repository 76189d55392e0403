import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import type { Platform } from '../runtime/platform.ts'
import { ping } from '../projections/db.ts'
import type { Logger } from '../runtime/logger.ts'
import { deriveJwtKey } from './auth/access-tokens.ts'
import { ensureFirstAdmin, type FirstAdmin } from './auth/bootstrap.ts'
import { authService } from './auth/service.ts'
import { buildSchema } from './graphql/schema.ts'
import { contextFor, createGraphQL, GRAPHQL_PATH, MAX_BODY_BYTES } from './graphql/yoga.ts'
import { directGraphQL } from './graphql/direct.ts'
import { registerHealth } from './health.ts'
import { registerAuditExport } from './audit-export.ts'
import { registerExecutionOutput } from './execution-output.ts'
import { closeEventFeed } from './subscriptions/feed.ts'
import { registerWebSocket } from './subscriptions/websocket.ts'
import { clientAddressOf } from './client-address.ts'
import { registerSecurity } from './security.ts'

export interface AppDeps {
  readonly platform: Platform
  readonly logger: Logger
  /** Whether a sink is committing: the API is not ready while nothing turns events into rows. */
  readonly sinkAlive: () => Promise<void>
  /** OPS_JWT_SECRET; unset: the access-token key is derived from the platform's master key. */
  readonly jwtSecret?: string | undefined
  /** Which proxies to believe for the client address and scheme (fastify's `trustProxy`). */
  readonly trustProxy?: boolean | number | string
  /** Create this admin at start when no user exists yet (API.md's bootstrap). */
  readonly firstAdmin?: FirstAdmin
  /** How often running subscriptions check their caller again (default 30 s; tests shorten it). */
  readonly subscriptionRecheckMs?: number
}

/** A hop count becomes a function: fastify's types take booleans, address lists or functions. */
const trustProxyOption = (setting: AppDeps['trustProxy']) =>
  typeof setting === 'number' ? (_address: string, hop: number) => hop < setting : (setting ?? false)

/** The HTTP application, built without listening so tests can drive it in-process. */
export const buildApp = async (deps: AppDeps): Promise<FastifyInstance> => {
  const trustProxy = trustProxyOption(deps.trustProxy)
  const app: FastifyInstance = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: MAX_BODY_BYTES,
    trustProxy,
    // Per-request lines would drown the log at thousands of mutations per second.
    logController: new LogController({ disableRequestLogging: true })
  })
  registerSecurity(app, GRAPHQL_PATH)
  registerHealth(app, [
    { name: 'nats', check: async () => void (await deps.platform.nc.rtt()) },
    { name: 'postgres', check: () => ping(deps.platform.pool) },
    { name: 'sink', check: deps.sinkAlive }
  ])

  const auth = authService(deps.platform, deriveJwtKey(deps.platform.settings.masterKey, deps.jwtSecret), (m) => deps.logger.warn(m))
  app.addHook('onClose', async () => auth.close())
  await auth.ready
  const schema = buildSchema()
  const yoga = createGraphQL({ schema, platform: deps.platform, auth, logger: deps.logger, recheckMs: deps.subscriptionRecheckMs })
  const direct = directGraphQL({ schema, logger: deps.logger, context: (server) => contextFor(deps.platform, auth, server, deps.subscriptionRecheckMs) })
  app.route({
    url: GRAPHQL_PATH,
    method: ['GET', 'POST'],
    handler: async (req, reply) => {
      if (await direct(req, reply)) return reply
      const response = await yoga.handleNodeRequestAndResponse(req, reply, { req, reply })
      response.headers.forEach((value, key) => void reply.header(key, value))
      reply.status(response.status)
      // Streams (server-sent events) stay streams; a plain answer goes out in one write.
      const streaming = /^(text\/event-stream|multipart\/mixed)/.test(response.headers.get('content-type') ?? '')
      return reply.send(streaming ? response.body : Buffer.from(await response.arrayBuffer()))
    }
  })

  const authenticate = async (header: string | undefined) => (await auth.principals.identify(header)).principal
  registerWebSocket(app, { yoga, authenticate, recheckMs: deps.subscriptionRecheckMs, clientAddress: clientAddressOf(trustProxy) })
  registerAuditExport(app, { db: deps.platform.pool, authenticate })
  registerExecutionOutput(app, { db: deps.platform.pool, authenticate })
  app.addHook('onClose', async () => closeEventFeed(deps.platform))

  if (deps.firstAdmin) await ensureFirstAdmin(deps.platform, deps.firstAdmin, deps.logger)
  return app
}
