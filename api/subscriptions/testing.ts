// A minimal HTTP server around the audit and events modules, for their tests and the
// subscription benchmark, until the full schema (api/graphql) serves them. Not used in production.
import Fastify, { type FastifyInstance } from 'fastify'
import { makeExecutableSchema } from '@graphql-tools/schema'
import { createYoga } from 'graphql-yoga'
import type { Platform } from '../../runtime/platform.ts'
import { registerAuditExport, type Authenticate } from '../audit-export.ts'
import type { ApiContext, Principal } from '../graphql/context.ts'
import { auditModule } from '../graphql/modules/audit.ts'
import { eventsModule } from '../graphql/modules/events.ts'
import { closeEventFeed } from './feed.ts'
import { registerWebSocket } from './websocket.ts'

const baseTypeDefs = /* GraphQL */ `
  scalar JSON
  scalar DateTime
  enum Role { ADMIN OPERATOR VIEWER }
  directive @auth(requires: Role = VIEWER) on FIELD_DEFINITION | OBJECT
  type PageInfo { hasNextPage: Boolean!  endCursor: String }
`

export const testToken = 'test-viewer-token'
export const testPrincipal: Principal = { kind: 'token', id: 'tok-1', name: 'test viewer', role: 'VIEWER' }

/** Accepts exactly `Bearer test-viewer-token`. */
export const testAuthenticate: Authenticate = async (authorization) =>
  authorization === `Bearer ${testToken}` ? testPrincipal : null

export const buildTestServer = async (platform: Platform): Promise<FastifyInstance> => {
  const app = Fastify()
  const schema = makeExecutableSchema({
    typeDefs: [baseTypeDefs, auditModule.typeDefs, eventsModule.typeDefs],
    resolvers: [auditModule.resolvers, eventsModule.resolvers]
  })
  const yoga = createYoga<{ req: unknown }, ApiContext>({
    schema,
    logging: false,
    context: async ({ request }): Promise<ApiContext> => ({
      principal: await testAuthenticate(request.headers.get('authorization') ?? undefined),
      request: { ip: '127.0.0.1', userAgent: request.headers.get('user-agent') ?? undefined },
      platform,
      runCommand: async () => {
        throw new Error('no commands in the audit test server')
      }
    })
  })
  app.route({
    url: '/graphql',
    method: ['GET', 'POST', 'OPTIONS'],
    handler: async (req, reply) => {
      const response = await yoga.handleNodeRequestAndResponse(req, reply, { req })
      response.headers.forEach((value, key) => void reply.header(key, value))
      reply.status(response.status)
      return reply.send(response.body)
    }
  })
  registerWebSocket(app, { yoga, authenticate: testAuthenticate })
  registerAuditExport(app, { db: platform.pool, authenticate: testAuthenticate })
  app.addHook('onClose', async () => closeEventFeed(platform))
  return app
}
