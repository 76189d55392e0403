// Test support for the audit log, the export and event subscriptions: the real GraphQL stack
// (schema with access control, yoga with its plugins, auth service) on a fastify app with the
// WebSocket server and the export route, wired the way buildApp wires them. Not a test file.
import Fastify, { type FastifyInstance } from 'fastify'
import { createApiToken } from '../../commands/tokens.ts'
import { createLogger } from '../../runtime/logger.ts'
import type { Platform } from '../../runtime/platform.ts'
import { context } from '../../test/harness.ts'
import { registerAuditExport, type Authenticate } from '../audit-export.ts'
import { deriveJwtKey } from '../auth/access-tokens.ts'
import { authService } from '../auth/service.ts'
import type { Principal } from '../graphql/context.ts'
import { auditModule } from '../graphql/modules/audit.ts'
import { eventsModule } from '../graphql/modules/events.ts'
import { apiModules } from '../graphql/modules/index.ts'
import { buildSchema } from '../graphql/schema.ts'
import { createGraphQL, GRAPHQL_PATH } from '../graphql/yoga.ts'
import { closeEventFeed } from './feed.ts'
import { registerWebSocket } from './websocket.ts'

/** For tests without a platform (the export over a bare events table). */
export const testToken = 'test-viewer-token'
export const testPrincipal: Principal = { kind: 'token', id: 'tok-1', name: 'test viewer', role: 'VIEWER' }
export const testAuthenticate: Authenticate = async (authorization) => (authorization === `Bearer ${testToken}` ? testPrincipal : null)

export interface TestServer {
  readonly app: FastifyInstance
  /** A real API token with the VIEWER role. */
  readonly token: string
}

export const buildTestServer = async (platform: Platform, options: { readonly recheckMs?: number } = {}): Promise<TestServer> => {
  const app = Fastify()
  const logger = createLogger('silent')
  const auth = authService(platform, deriveJwtKey(platform.settings.masterKey), () => undefined)
  const schema = buildSchema([...apiModules.filter((m) => m !== auditModule && m !== eventsModule), auditModule, eventsModule])
  const yoga = createGraphQL({ schema, platform, auth, logger, recheckMs: options.recheckMs })
  app.route({
    url: GRAPHQL_PATH,
    method: ['GET', 'POST'],
    handler: async (req, reply) => {
      const response = await yoga.handleNodeRequestAndResponse(req, reply, { req, reply })
      response.headers.forEach((value, key) => void reply.header(key, value))
      reply.status(response.status)
      return reply.send(response.body)
    }
  })
  const authenticate: Authenticate = async (authorization) => (await auth.principals.identify(authorization)).principal
  registerWebSocket(app, { yoga, authenticate, recheckMs: options.recheckMs })
  registerAuditExport(app, { db: platform.pool, authenticate })
  app.addHook('onClose', async () => {
    closeEventFeed(platform)
    auth.close()
  })
  const created = await platform.commands.runPromise(createApiToken({ name: `viewer-${crypto.randomUUID()}`, role: 'VIEWER' }, context()))
  if (!created.token) throw new Error('no API token was issued')
  return { app, token: created.token }
}
