/**
 * The GraphQL bench's load generator, run as its own process like any real client: the API's
 * event loop serves requests and nothing else. Prints one JSON line with the rate and latencies.
 * `node --import tsx scripts/bench/graphql-load.ts '<json plan>'`
 */
import { httpClient, QUERY, REGISTER, targetInput } from './graphql-client.ts'
import { runPool } from './stats.ts'

export interface LoadPlan {
  readonly base: string
  readonly token: string
  readonly clients: number
  readonly total: number
  /** Register targets `offset` … `offset + total - 1`, or page through a filter (first and second pages alternate). */
  readonly work: { readonly kind: 'register'; readonly offset: number } | { readonly kind: 'filter'; readonly filter: string; readonly after: string | null }
}

const plan = JSON.parse(process.argv[2] ?? '{}') as LoadPlan
const gql = httpClient(plan.base)
const work = plan.work
const result = await runPool(plan.total, plan.clients, async (i) => {
  if (work.kind === 'register') await gql(plan.token, REGISTER, targetInput(work.offset + i))
  else await gql(plan.token, QUERY, { filter: work.filter, after: i % 2 ? work.after : null })
})
process.stdout.write(`${JSON.stringify(result)}\n`)
process.exit(0)
