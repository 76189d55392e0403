/**
 * GraphQL API throughput and latency, over real HTTP against the in-process app (fastify +
 * graphql-yoga on an ephemeral port), with the sink, NATS and PostgreSQL on the same 2 cores:
 *  - registerTarget mutations from 32 concurrent keep-alive clients, in a load-generator process
 *    of their own (graphql-load.ts), as real clients would be: each answer comes after the
 *    change is durable and read back from the projection (read-your-writes);
 *  - the same application service called directly (no HTTP, no GraphQL) as the anchor;
 *  - targets(filter:) queries over the 10,000 targets just registered.
 * Standalone: `npx tsx scripts/bench/graphql.ts [--quick]`.
 */
import { fork, type ChildProcess } from 'node:child_process'
import os from 'node:os'
import { pathToFileURL } from 'node:url'
import { Effect } from 'effect'
import { buildApp } from '../../api/app.ts'
import { registerTarget } from '../../commands/targets.ts'
import { createLogger } from '../../runtime/logger.ts'
import { context, openHarness } from '../../test/harness.ts'
import { killProcess, spawnRole } from '../../test/processes.ts'
import { sinkIsActive } from '../../projections/sink.ts'
import { staleTables } from '../../projections/statistics.ts'
import type { Pool } from '../../projections/db.ts'
import { round, runPool } from './stats.ts'
import { CLIENTS, FILTERS, httpClient, QUERY, QUERY_CLIENTS, targetInput } from './graphql-client.ts'
import type { LoadPlan } from './graphql-load.ts'
import { describeSplit, startCpuAccount, totalMicros, type Part } from './cpu.ts'
import type { Row } from './types.ts'

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
  const loader = startLoadGenerator()
  try {
    const gql = httpClient(base)
    const login = await gql(null, 'mutation { login(username: "bench-admin", password: "bench-admin-password") { accessToken } }', {})
    const token = login.login.accessToken as string

    // Warm-up and measured registrations together make the targets the queries run over.
    const total = options.quick ? 3_000 : 10_000
    // Enough for the JIT and the pools to settle: the first thousand requests run several times slower.
    const warmUp = Math.round(total / 5)
    await loader.run({ base, token, clients: CLIENTS, total: warmUp, work: { kind: 'register', offset: 0 } })
    const cpu = startCpuAccount({ self: 'API process', sinkPid: sink.pid, clientPid: loader.pid })
    const mutations = await loader.run({ base, token, clients: CLIENTS, total: total - warmUp, work: { kind: 'register', offset: warmUp } })
    const split = cpu()
    const parts: Part[] = ['API process', 'sink process', 'PostgreSQL', 'NATS']
    const perMutation = totalMicros(split, total - warmUp, parts)
    rows.push({
      group: 'cpu budget', name: `registerTarget over HTTP: CPU per mutation (server side, all processes)`, value: round(perMutation), unit: 'µs',
      note: `${describeSplit(split, total - warmUp, parts)}; the HTTP clients' own process: ${round((split.seconds['HTTP clients'] / (total - warmUp)) * 1e6)} µs; ceiling on ${os.cpus().length} cores with the clients elsewhere: ${round((os.cpus().length * 1e6) / perMutation).toLocaleString('en')}/s`
    })
    rows.push({ group: 'graphql api', name: `registerTarget latency, ${CLIENTS} clients`, value: round(mutations.p99, 1), unit: 'ms p99', note: `p50 ${round(mutations.p50, 1)} ms`, goal: 'p99 < 50 ms' })

    // As in a running system, the sink brings the planner's statistics up to date after a bulk
    // change within seconds: the queries are measured once it has (see projections/statistics.ts).
    await statisticsCaughtUp(h.platform.pool, 'targets')
    // Queries, one filter at a time: first pages and second pages (keyset cursors) alternate.
    const count = (await gql(token, '{ targets { totalCount } }', {})).targets.totalCount as number
    for (const filter of FILTERS) {
      const first = await gql(token, QUERY, { filter })
      const after = first.targets.pageInfo.endCursor as string | null
      const matching = first.targets.totalCount as number
      const queries = await loader.run({ base, token, clients: QUERY_CLIENTS, total: options.quick ? 200 : 600, work: { kind: 'filter', filter, after } })
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
    loader.stop()
    await app.close()
    await killProcess(sink)
    await h.close()
  }
  return rows
}

/** The load generator: its own process (real clients are not in the server's event loop). */
const startLoadGenerator = () => {
  const child: ChildProcess = fork(new URL('./graphql-load.ts', import.meta.url).pathname, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const run = (plan: LoadPlan) =>
    new Promise<{ rate: number; p50: number; p99: number }>((resolve, reject) => {
      child.once('message', (answer: { result?: { rate: number; p50: number; p99: number }; error?: string }) =>
        answer.result ? resolve(answer.result) : reject(new Error(`load generator failed: ${answer.error}`))
      )
      child.send(plan)
    })
  return { run, pid: child.pid, stop: () => void child.disconnect() }
}

const statisticsCaughtUp = async (pool: Pool, table: string) => {
  for (let i = 0; i < 300; i++) {
    if ((await staleTables(pool, [table])).length === 0) return
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`the statistics of ${table} never caught up`)
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
