/**
 * GraphQL API throughput and latency, over real HTTP against the in-process app (fastify +
 * graphql-yoga on an ephemeral port), with the sink, NATS and PostgreSQL on the same 2 cores:
 *  - registerTarget mutations from 32 concurrent keep-alive clients: each answer comes after the
 *    change is durable and read back from the projection (read-your-writes);
 *  - the same application service called directly (no HTTP, no GraphQL) as the anchor;
 *  - targets(filter:) queries over the 10,000 targets just registered.
 * Standalone: `npx tsx scripts/bench/graphql.ts [--quick]`.
 */
import http from 'node:http'
import { pathToFileURL } from 'node:url'
import { Effect } from 'effect'
import { buildApp } from '../../api/app.ts'
import { registerTarget } from '../../commands/targets.ts'
import { createLogger } from '../../runtime/logger.ts'
import { context, openHarness } from '../../test/harness.ts'
import { killProcess, spawnRole } from '../../test/processes.ts'
import { sinkIsActive } from '../../projections/sink.ts'
import { round, runPool } from './stats.ts'
import type { Row } from './types.ts'

const CLIENTS = 32
const REGISTER = `mutation($name: String!, $address: String!, $tags: [String!], $attributes: JSON) {
  registerTarget(name: $name, address: $address, connection: SSH, tags: $tags, attributes: $attributes) { id name tags }
}`
const FILTERS = ['tag:web', 'tag:web + os:linux', 'name:bench-1*', 'tag:db, tag:cache', '!tag:prod + rack:r7', 'address:10.8.*']
// Query latency is measured below saturation: a few clients, as people paging through lists.
const QUERY_CLIENTS = 4
const QUERY = `query($filter: String, $after: String) {
  targets(filter: $filter, first: 50, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id name address tags attributes } } }
}`

/** Varied targets, so the filters select different shares: a third web, half prod, a quarter windows. */
const targetInput = (i: number) => ({
  name: `bench-${i}`,
  address: `10.${8 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`,
  tags: [['web', 'db', 'cache'][i % 3]!, i % 2 ? 'prod' : 'staging'],
  attributes: { os: i % 4 ? 'linux' : 'windows', rack: `r${i % 20}` }
})

/**
 * A plain keep-alive HTTP/1.1 client (one socket per concurrent client): the clients share the
 * process and its cores with the server, so they should cost as little as possible.
 */
const httpClient = (base: string) => {
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

export const benchGraphql = async (options: { quick?: boolean } = {}): Promise<Row[]> => {
  // As `npm start` runs it: the sink in its own process, the API in this one.
  const h = await openHarness({ sink: false })
  const sink = spawnRole(h, 'projections/main.ts')
  await until(() => sinkReady(h))
  const app = await buildApp({
    platform: h.platform,
    logger: createLogger('warn'),
    sinkAlive: async () => undefined,
    firstAdmin: { username: 'bench-admin', password: 'bench-admin-password' }
  })
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  const rows: Row[] = []
  try {
    const gql = httpClient(base)
    const login = await gql(null, 'mutation { login(username: "bench-admin", password: "bench-admin-password") { accessToken } }', {})
    const token = login.login.accessToken as string

    // Warm-up and measured registrations together make the targets the queries run over.
    const total = options.quick ? 3_000 : 10_000
    // Enough for the JIT and the pools to settle: the first thousand requests run several times slower.
    const warmUp = Math.round(total / 5)
    await runPool(warmUp, CLIENTS, async (i) => void (await gql(token, REGISTER, targetInput(i))))
    const mutations = await runPool(total - warmUp, CLIENTS, async (i) => void (await gql(token, REGISTER, targetInput(warmUp + i))))
    rows.push({ group: 'graphql api', name: `registerTarget latency, ${CLIENTS} clients`, value: round(mutations.p99, 1), unit: 'ms p99', note: `p50 ${round(mutations.p50, 1)} ms`, goal: 'p99 < 50 ms' })

    // Queries, one filter at a time: first pages and second pages (keyset cursors) alternate.
    const count = (await gql(token, '{ targets { totalCount } }', {})).targets.totalCount as number
    for (const filter of FILTERS) {
      const first = await gql(token, QUERY, { filter })
      const after = first.targets.pageInfo.endCursor as string | null
      const matching = first.targets.totalCount as number
      const queries = await runPool(options.quick ? 200 : 600, QUERY_CLIENTS, async (i) => void (await gql(token, QUERY, { filter, after: i % 2 ? after : null })))
      rows.push({
        group: 'graphql api',
        name: `targets(filter: "${filter}") page of 50 + totalCount, ${count.toLocaleString('en')} targets, ${QUERY_CLIENTS} clients`,
        value: round(queries.p99, 1),
        unit: 'ms p99',
        note: `p50 ${round(queries.p50, 1)} ms, ${round(queries.rate)} queries/s, ${matching.toLocaleString('en')} match`
      })
    }

    // The anchor: the same application service (name reservation + target command, waiting for
    // the sink), without HTTP, GraphQL, authentication or the read-back.
    const anchor = await runPool(Math.round(total / 2), CLIENTS, async (i) => {
      const r = await h.platform.commands.runPromise(Effect.result(registerTarget({ ...targetInput(i), name: `direct-${i}`, connection: 'SSH' }, context())))
      if (r._tag === 'Failure' || !r.success.durable) throw new Error('command failed or not durable')
    })
    rows.unshift({
      group: 'graphql api',
      name: `registerTarget over HTTP, ${CLIENTS} clients (durable, read back)`,
      value: round(mutations.rate),
      unit: 'mutations/s',
      anchor: `registerTarget service called directly, ${CLIENTS} callers`,
      anchorValue: round(anchor.rate),
      ratio: round(mutations.rate / anchor.rate, 2),
      goal: '≥ 3,000/s'
    })
  } finally {
    await app.close()
    await killProcess(sink)
    await h.close()
  }
  return rows
}

const until = async (ready: () => Promise<boolean>) => {
  for (let i = 0; i < 600 && !(await ready()); i++) await new Promise((r) => setTimeout(r, 50))
}

/** The sink process holds its lock once it is copying. */
const sinkReady = (h: Awaited<ReturnType<typeof openHarness>>) => sinkIsActive(h.platform.pool)

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { ensureTestServices } = await import('../../runtime/local-test-services.ts')
  const services = await ensureTestServices({ log: () => undefined })
  Object.assign(process.env, services.env)
  try {
    for (const row of await benchGraphql({ quick: process.argv.includes('--quick') }))
      console.log(`${row.name}: ${row.value} ${row.unit}${row.note ? ` (${row.note})` : ''}${row.ratio ? ` — ×${row.ratio} of ${row.anchor} (${row.anchorValue})` : ''}`)
  } finally {
    await services.stop()
  }
  process.exit(0)
}
