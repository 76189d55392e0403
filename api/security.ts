import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

/**
 * HTTP hardening for every route: security headers, and for /graphql the CSRF defences. Access
 * tokens travel in the Authorization header, which a foreign page cannot set; the refresh cookie
 * is SameSite=Strict. On top of that, a POST must be `application/json` (a cross-site form or a
 * "simple" fetch cannot send it without a CORS preflight, which we never grant), and a request
 * announcing a foreign Origin or `Sec-Fetch-Site: cross-site` is refused.
 */
const HEADERS: ReadonlyArray<readonly [string, string]> = [
  ['x-content-type-options', 'nosniff'],
  ['x-frame-options', 'DENY'],
  ['referrer-policy', 'no-referrer'],
  // API answers are data, never documents: nothing may load, run or frame them. The UI routes
  // set their own policy, which this hook leaves alone.
  ['content-security-policy', "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"],
  ['cross-origin-opener-policy', 'same-origin'],
  ['cross-origin-resource-policy', 'same-origin'],
  ['permissions-policy', 'camera=(), microphone=(), geolocation=(), payment=()']
]

const refuse = (reply: FastifyReply, status: number, code: string, message: string) =>
  reply.code(status).type('application/json; charset=utf-8').send({ errors: [{ message, extensions: { code } }] })

const sameOrigin = (request: FastifyRequest, origin: string): boolean => {
  try {
    // Both through URL, so a default port (":80", ":443") compares equal to none.
    return new URL(origin).origin === new URL(`${request.protocol}://${request.host}`).origin
  } catch {
    return false
  }
}

export const registerSecurity = (app: FastifyInstance, graphqlPath: string): void => {
  app.addHook('onSend', async (request, reply, payload) => {
    for (const [name, value] of HEADERS) if (!reply.hasHeader(name)) reply.header(name, value)
    if (request.protocol === 'https' && !reply.hasHeader('strict-transport-security')) reply.header('strict-transport-security', 'max-age=31536000')
    if (request.url.startsWith(graphqlPath)) reply.header('cache-control', 'no-store')
    return payload
  })

  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.url !== graphqlPath) return
    const origin = request.headers.origin
    if (origin !== undefined && origin !== 'null' && !sameOrigin(request, origin)) return refuse(reply, 403, 'FORBIDDEN', 'cross-origin requests are not accepted')
    if (origin === 'null' || request.headers['sec-fetch-site'] === 'cross-site') return refuse(reply, 403, 'FORBIDDEN', 'cross-site requests are not accepted')
    if (request.method === 'POST') {
      const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()
      if (type !== 'application/json') return refuse(reply, 415, 'BAD_REQUEST', 'POST /graphql takes Content-Type: application/json')
    }
  })
}
