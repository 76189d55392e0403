/** The GraphQL bench's client side: its requests, and a lean keep-alive HTTP client. */
import http from 'node:http'

export const CLIENTS = 32
export const REGISTER = `mutation($name: String!, $address: String!, $tags: [String!], $attributes: JSON) {
  registerTarget(name: $name, address: $address, connection: SSH, tags: $tags, attributes: $attributes) { id name tags }
}`
export const FILTERS = ['tag:web', 'tag:web + os:linux', 'name:bench-1*', 'tag:db, tag:cache', '!tag:prod + rack:r7', 'address:10.8.*']
// Query latency is measured below saturation: a few clients, as people paging through lists.
export const QUERY_CLIENTS = 4
export const QUERY = `query($filter: String, $after: String) {
  targets(filter: $filter, first: 50, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id name address tags attributes } } }
}`

/** Varied targets, so the filters select different shares: a third web, half prod, a quarter windows. */
export const targetInput = (i: number) => ({
  name: `bench-${i}`,
  address: `10.${8 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`,
  tags: [['web', 'db', 'cache'][i % 3]!, i % 2 ? 'prod' : 'staging'],
  attributes: { os: i % 4 ? 'linux' : 'windows', rack: `r${i % 20}` }
})

/**
 * A plain keep-alive HTTP/1.1 client (one socket per concurrent client): the clients run in a
 * process of their own (graphql-load.ts) on the same cores as the server, so they should cost
 * as little as possible.
 */
export const httpClient = (base: string) => {
  const url = new URL(base)
  const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS })
  return (token: string | null, query: string, variables: Record<string, unknown>) =>
    new Promise<Record<string, any>>((resolve, reject) => {
      const body = JSON.stringify({ query, variables })
      const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...(token ? { authorization: `Bearer ${token}` } : {}) }
      const request = http.request({ agent, host: url.hostname, port: url.port, path: '/graphql', method: 'POST', headers }, (response) => {
        const chunks: Buffer[] = []
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.on('end', () => {
          const answer = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { data?: Record<string, any>; errors?: unknown[] }
          if (answer.errors) reject(new Error(`GraphQL errors: ${JSON.stringify(answer.errors).slice(0, 300)}`))
          else resolve(answer.data!)
        })
      })
      request.on('error', reject)
      request.end(body)
    })
}

