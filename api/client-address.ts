import type { IncomingMessage } from 'node:http'
import proxyaddr from '@fastify/proxy-addr'

export type TrustProxy = boolean | string | ((address: string, hop: number) => boolean)

/**
 * The client address of a raw Node request (a WebSocket upgrade, which fastify never sees),
 * believing the same proxies fastify believes for HTTP requests, with the same library.
 */
export const clientAddressOf = (trust: TrustProxy): ((request: IncomingMessage) => string) => {
  if (trust === false) return (request) => request.socket.remoteAddress ?? ''
  const trusted =
    trust === true
      ? () => true
      : typeof trust === 'function'
        ? trust
        : proxyaddr.compile(
            trust
              .split(',')
              .map((a) => a.trim())
              .filter(Boolean)
          )
  return (request) => proxyaddr(request, trusted)
}
