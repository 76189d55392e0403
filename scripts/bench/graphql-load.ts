/**
 * The GraphQL bench's load generator, run as its own process like any real client: the API's
 * event loop serves requests and nothing else. Started once with `fork` by graphql.ts, which sends
 * it plans and gets back the rate and latencies of each.
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

const run = async (plan: LoadPlan) => {
  const gql = httpClient(plan.base)
  const work = plan.work
  return runPool(plan.total, plan.clients, async (i) => {
    if (work.kind === 'register') await gql(plan.token, REGISTER, targetInput(work.offset + i))
    else await gql(plan.token, QUERY, { filter: work.filter, after: i % 2 ? work.after : null })
  })
}

// One process for the whole bench, driven over IPC, so its code is as warm as the server's.
process.on('message', (plan: LoadPlan) => {
  run(plan).then(
    (result) => process.send!({ result }),
    (error: unknown) => process.send!({ error: error instanceof Error ? error.message : String(error) })
  )
})
process.on('disconnect', () => process.exit(0))
