import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openApi, type GqlAnswer, type TestApi } from './testing.ts'

let api: TestApi
beforeAll(async () => {
  api = await openApi()
  await api.h.startExecution(1, 8)
})
afterAll(async () => api?.close())

const gql = (query: string, variables?: Record<string, unknown>) => api.gql(query, variables, { token: api.adminToken })
const ok = async (answer: Promise<GqlAnswer>) => {
  const a = await answer
  if (a.errors) throw new Error(`unexpected errors: ${JSON.stringify(a.errors)}`)
  return a.data as Record<string, any>
}
const FIELDS = 'id version concurrency { policy max }'

describe('Job concurrency over GraphQL', () => {
  it('round-trips through defineJob, reviseJob, job and jobs', async () => {
    const plain = await ok(gql(`mutation { defineJob(name: "conc-plain", steps: [{ kind: "COMMAND", command: "true" }]) { ${FIELDS} } }`))
    expect(plain.defineJob.concurrency).toEqual({ policy: 'ALLOW', max: 1 })

    const defined = await ok(gql(`mutation { defineJob(name: "conc-deploy", steps: [{ kind: "COMMAND", command: "true" }], concurrency: { policy: "QUEUE", max: 3 }) { ${FIELDS} } }`))
    const id = defined.defineJob.id as string
    expect(defined.defineJob.concurrency).toEqual({ policy: 'QUEUE', max: 3 })

    const revised = await ok(gql(`mutation($id: ID!) { reviseJob(id: $id, steps: [{ kind: "COMMAND", command: "true" }], concurrency: { policy: "SKIP", max: 2 }) { ${FIELDS} } }`, { id }))
    expect(revised.reviseJob).toMatchObject({ version: 2, concurrency: { policy: 'SKIP', max: 2 } })
    const kept = await ok(gql(`mutation($id: ID!) { reviseJob(id: $id, steps: [{ kind: "COMMAND", command: "echo kept" }]) { ${FIELDS} } }`, { id }))
    expect(kept.reviseJob).toMatchObject({ version: 3, concurrency: { policy: 'SKIP', max: 2 } })

    expect((await ok(gql(`query($id: ID!) { job(id: $id) { ${FIELDS} } }`, { id }))).job.concurrency).toEqual({ policy: 'SKIP', max: 2 })
    expect((await ok(gql(`query($id: ID!) { job(id: $id, version: 1) { ${FIELDS} } }`, { id }))).job.concurrency).toEqual({ policy: 'QUEUE', max: 3 })
    const listed = await ok(gql('{ jobs(name: "conc-*") { edges { node { name concurrency { policy max } } } } }'))
    expect(listed.jobs.edges.map((e: { node: unknown }) => e.node)).toEqual([
      { name: 'conc-deploy', concurrency: { policy: 'SKIP', max: 2 } },
      { name: 'conc-plain', concurrency: { policy: 'ALLOW', max: 1 } }
    ])
  })

  it('refuses a bad concurrency naming the field, and publishes nothing', async () => {
    const before = await api.busPosition()
    const policy = await gql('mutation { defineJob(name: "conc-bad", steps: [{ kind: "COMMAND", command: "true" }], concurrency: { policy: "SOMETIMES" }) { id } }')
    expect(policy.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'concurrency.policy' })
    const max = await gql('mutation { defineJob(name: "conc-bad", steps: [{ kind: "COMMAND", command: "true" }], concurrency: { policy: "QUEUE", max: 0 }) { id } }')
    expect(max.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'concurrency.max' })
    expect(await api.busPosition()).toBe(before)
  })

  it('answers CONFLICT to a run of a SKIP job that is already running', async () => {
    await ok(gql('mutation { registerTarget(name: "conc-local", address: "localhost", connection: LOCAL, tags: ["conc"]) { id } }'))
    const job = await ok(gql('mutation { defineJob(name: "conc-skip", steps: [{ kind: "COMMAND", command: "sleep 2" }], concurrency: { policy: "SKIP" }) { id } }'))
    const runJob = `mutation($job: ID!) { runJob(jobId: $job, targetFilter: "tag:conc") { id status } }`
    const first = await ok(gql(runJob, { job: job.defineJob.id }))
    expect(first.runJob.id).toBeTruthy()
    const second = await gql(runJob, { job: job.defineJob.id })
    expect(second.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', reason: 'JobAlreadyRunning' })
    expect(second.errors?.[0]?.message).toBe('job "conc-skip" is already running (1 of max 1)')
  })
})
