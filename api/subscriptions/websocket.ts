import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import { getOperationAST, GraphQLError, parse as parseDocument, type ExecutionArgs } from 'graphql'
import { useServer } from 'graphql-ws/use/ws'
import type { YogaServerInstance } from 'graphql-yoga'
import { WebSocketServer } from 'ws'
import type { Authenticate } from '../audit-export.ts'
import type { Principal } from '../graphql/context.ts'
import { SUBSCRIPTION_RECHECK_MS } from '../graphql/yoga.ts'

export interface WebSocketDeps {
  /** The yoga instance serving HTTP, so WebSocket operations run through the same plugins. */
  readonly yoga: Pick<YogaServerInstance<Record<string, unknown>, Record<string, unknown>>, 'getEnveloped'>
  readonly authenticate: Authenticate
  readonly path?: string
  /** How often an open connection's token is checked again (expiry, revocation, disabled user). */
  readonly recheckMs?: number | undefined
  /** The client's address behind the proxies the app trusts (default: the socket's peer). */
  readonly clientAddress?: (request: IncomingMessage) => string
}

/**
 * Whether a document's chosen operation is a mutation, read before Yoga's own parse (whose GET
 * check throws for one); a document that does not parse is Yoga's to answer.
 */
const isMutation = (query: string, operationName: string | null | undefined): boolean => {
  try {
    return getOperationAST(parseDocument(query), operationName ?? undefined)?.operation === 'mutation'
  } catch {
    return false
  }
}

type Enveloped = ReturnType<WebSocketDeps['yoga']['getEnveloped']>
interface EnvelopedRoot {
  readonly execute: Enveloped['execute']
  readonly subscribe: Enveloped['subscribe']
}
const isEnvelopedRoot = (root: unknown): root is EnvelopedRoot =>
  typeof root === 'object' && root !== null && 'execute' in root && 'subscribe' in root

/**
 * GraphQL over WebSocket (graphql-ws protocol, `graphql-transport-ws`) on the app's own HTTP
 * server. The caller proves who it is in `connection_init` (`{ authorization: 'Bearer …' }`, the
 * upgrade request's Authorization header also counts); an unproven connection is closed with
 * 4403 before any operation runs. Each operation then goes through yoga's envelop, with the
 * verified header placed on the request yoga's context sees, exactly as for HTTP.
 */
export const registerWebSocket = (app: FastifyInstance, deps: WebSocketDeps): void => {
  const path = deps.path ?? '/graphql'
  const wss = new WebSocketServer({ noServer: true })
  const server = useServer<Record<string, unknown>, { principal: Principal; authorization: string }>(
    {
      onConnect: async (ctx) => {
        const fromParams = ctx.connectionParams?.authorization
        const authorization = typeof fromParams === 'string' ? fromParams : ctx.extra.request.headers.authorization
        const principal = await deps.authenticate(authorization).catch(() => null)
        if (!principal || !authorization) return false
        ctx.extra.principal = principal
        ctx.extra.authorization = authorization
        // A socket outlives the token that opened it: check it again now and then, and close
        // the connection (its subscriptions with it) once it no longer holds.
        const socket = ctx.extra.socket
        const recheck = setInterval(() => {
          void deps
            .authenticate(authorization)
            .catch(() => null)
            .then((still) => {
              if (!still) socket.close(4403, 'Forbidden: the token expired or was revoked')
            })
        }, deps.recheckMs ?? SUBSCRIPTION_RECHECK_MS)
        recheck.unref()
        socket.once('close', () => clearInterval(recheck))
        return true
      },
      onSubscribe: async (ctx, _id, payload) => {
        // Mutations are POSTed (Yoga refuses them on anything else, and login, refreshSession and
        // logout answer with a cookie a socket cannot carry): say so instead of failing inside.
        if (isMutation(payload.query, payload.operationName))
          return [new GraphQLError('mutations are sent as POST /graphql; a WebSocket carries queries and subscriptions', { extensions: { code: 'BAD_REQUEST' } })]
        const request = ctx.extra.request
        const authorization = ctx.extra.authorization ?? ''
        const { schema, execute, subscribe, contextFactory, parse, validate } = deps.yoga.getEnveloped({
          ...httpLikeContext(request, authorization, deps.clientAddress?.(request) ?? request.socket.remoteAddress ?? ''),
          principal: ctx.extra.principal,
          connectionParams: ctx.connectionParams,
          params: payload
        })
        const document = parse(payload.query)
        const errors = validate(schema, document)
        if (errors.length > 0) return errors
        const args: ExecutionArgs = {
          schema,
          document,
          operationName: payload.operationName ?? null,
          variableValues: payload.variables ?? null,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe } satisfies EnvelopedRoot
        }
        return args
      },
      execute: (args) => (isEnvelopedRoot(args.rootValue) ? args.rootValue.execute(args) : unexpectedRoot()),
      subscribe: (args) => (isEnvelopedRoot(args.rootValue) ? args.rootValue.subscribe(args) : unexpectedRoot())
    },
    wss
  )
  // Only our path is taken over; other upgrade requests stay for whoever else listens.
  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (new URL(request.url ?? '/', 'http://localhost').pathname !== path) return
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request))
  }
  app.server.on('upgrade', onUpgrade)
  app.addHook('preClose', async () => {
    app.server.off('upgrade', onUpgrade)
    for (const client of wss.clients) client.close(1001, 'server shutting down')
    await server.dispose()
    await new Promise<void>((resolve) => wss.close(() => resolve()))
  })
}

const unexpectedRoot = (): never => {
  throw new Error('websocket operation started without its enveloped execute/subscribe')
}

/**
 * What yoga's context factory reads for an HTTP request, built from the upgrade request with the
 * verified `connection_init` authorization in place of the header browsers cannot set: the
 * fetch `request`, and `req`/`reply` with the few members of fastify's request and reply that
 * `contextFor` (api/graphql/yoga.ts) uses. Cookies cannot be set over a socket.
 */
const httpLikeContext = (upgrade: IncomingMessage, authorization: string, ip: string) => {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(upgrade.headers)) if (typeof value === 'string') headers[name] = value
  headers.authorization = authorization
  const secure = 'encrypted' in upgrade.socket && upgrade.socket.encrypted === true
  const url = `${secure ? 'https' : 'http'}://${headers.host ?? 'localhost'}${upgrade.url ?? '/graphql'}`
  return {
    request: new Request(url, { headers }),
    req: { headers, ip, protocol: secure ? 'https' : 'http', raw: upgrade },
    reply: { header: () => undefined }
  }
}
