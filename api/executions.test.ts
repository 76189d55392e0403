import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { OutputBudget, runOutputPreview } from './execution-output.ts'
import { openApi, type TestApi } from './testing.ts'

let api: TestApi
beforeAll(async () => {
  api = await openApi()
  await api.h.startExecution(1, 16)
})
afterAll(async () => {
  await api?.close()
})

const admin = (query: string, variables?: Record<string, unknown>) => api.gql(query, variables, { token: api.adminToken })

const waitForStatus = async (id: string) => {
  const deadline = Date.now() + 30_000
  for (;;) {
    const r = await admin('query($id: ID!) { execution(id: $id) { status } }', { id })
    const status = (r.data?.execution as { status: string } | undefined)?.status
    if (status && ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(status)) return status
    if (Date.now() > deadline) throw new Error(`execution still ${status}`)
    await new Promise((res) => setTimeout(res, 50))
  }
}

describe('Executions over GraphQL', () => {
  let targetId = ''
  let jobId = ''
  beforeAll(async () => {
    const t = await admin('mutation { registerTarget(name: "gql-local", address: "localhost", connection: LOCAL, tags: ["gql"]) { id } }')
    targetId = (t.data?.registerTarget as { id: string }).id
    const j = await admin(
      `mutation { defineJob(name: "gql-hello", steps: [{ kind: "COMMAND", command: "echo hi {{name}}; echo warn >&2" }],
        parameters: [{ name: "name", type: "STRING", required: true, pattern: "[a-z]+" }]) { id } }`
    )
    jobId = (j.data?.defineJob as { id: string }).id
  })

  it('runs a job, lists it, shows per-target output, and downloads the log with ranges', async () => {
    const run = await admin('mutation($job: ID!) { runJob(jobId: $job, targetFilter: "tag:gql", parameters: { name: "there" }, parallelism: 2) { id status job { name version } } }', { job: jobId })
    expect(run.errors).toBeUndefined()
    const execution = run.data?.runJob as { id: string; status: string; job: { name: string; version: number } }
    expect(execution.job).toEqual({ name: 'gql-hello', version: 1 })
    expect(await waitForStatus(execution.id)).toBe('SUCCEEDED')
    // The output copy lands asynchronously; poll briefly.
    let output: string | null = null
    for (let i = 0; i < 100 && !output?.includes('warn'); i++) {
      const r = await admin('query($id: ID!) { execution(id: $id) { summary { total succeeded } targets { targetName status exitCode output } } }', { id: execution.id })
      const e = r.data?.execution as { summary: { total: number; succeeded: number }; targets: Array<{ targetName: string; status: string; exitCode: number; output: string | null }> }
      expect(e.summary).toEqual({ total: 1, succeeded: 1 })
      expect(e.targets[0]).toMatchObject({ targetName: 'gql-local', status: 'SUCCEEDED', exitCode: 0 })
      output = e.targets[0]!.output
      if (!output?.includes('warn')) await new Promise((res) => setTimeout(res, 50))
    }
    expect(output).toBe('hi there\nwarn\n')
    // One answer carries a bounded amount of output however many runs it lists.
    const budget = new OutputBudget(3)
    const previews = await Promise.all([0, 1].map(() => runOutputPreview(api.h.platform.pool, execution.id, targetId, 65_536, budget)))
    expect(previews).toEqual([
      `hi \n[… 11 more bytes not shown (this answer reached its 3 bytes of output); the whole log: GET /executions/${execution.id}/targets/${targetId}/output]\n`,
      `[… 14 more bytes not shown (this answer already carries its 3 bytes of output); the whole log: GET /executions/${execution.id}/targets/${targetId}/output]\n`
    ])
    const list = await admin('query($job: ID) { executions(jobId: $job, first: 5) { totalCount edges { node { id status } } } }', { job: jobId })
    expect((list.data?.executions as { totalCount: number }).totalCount).toBe(1)

    const url = `/executions/${execution.id}/targets/${targetId}/output`
    const whole = await api.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${api.adminToken}` } })
    expect(whole.statusCode).toBe(200)
    expect(whole.body).toBe('hi there\nwarn\n')
    const part = await api.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${api.adminToken}`, range: 'bytes=3-7' } })
    expect(part.statusCode).toBe(206)
    expect(part.body).toBe('there')
    expect((await api.app.inject({ method: 'GET', url })).statusCode).toBe(401)
  })

  it('refuses bad parameters naming the parameter, and publishes nothing', async () => {
    const before = await api.busPosition()
    const r = await admin('mutation($job: ID!) { runJob(jobId: $job, targetIds: [], targetFilter: "tag:gql", parameters: { name: "UPPER" }) { id } }', { job: jobId })
    expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT')
    expect(r.errors?.[0]?.message).toContain('parameters.name')
    const missing = await admin('mutation($job: ID!) { runJob(jobId: $job, targetFilter: "tag:gql") { id } }', { job: jobId })
    expect(missing.errors?.[0]?.message).toContain('parameters.name')
    const noTargets = await admin('mutation($job: ID!) { runJob(jobId: $job, targetFilter: "tag:nothing-has-this", parameters: { name: "x" }) { id } }', { job: jobId })
    expect(noTargets.errors?.[0]?.message).toContain('targetFilter')
    const badFilter = await admin('mutation($job: ID!) { runJob(jobId: $job, targetFilter: "tag:", parameters: { name: "x" }) { id } }', { job: jobId })
    expect(badFilter.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT')
    expect(await api.busPosition()).toBe(before)
  })

  it('lists the executions that ran on one target, with that target’s run', async () => {
    const b = await admin('mutation { registerTarget(name: "gql-local-b", address: "localhost", connection: LOCAL, tags: ["gql-b"]) { id } }')
    const other = (b.data?.registerTarget as { id: string }).id
    const run = async (targetFilter: string) => {
      const r = await admin('mutation($job: ID!, $f: String!) { runJob(jobId: $job, targetFilter: $f, parameters: { name: "b" }) { id } }', { job: jobId, f: targetFilter })
      const id = (r.data?.runJob as { id: string }).id
      await waitForStatus(id)
      return id
    }
    const onlyOther = await run('tag:gql-b')
    const both = await run('tag:gql,tag:gql-b')
    const RUNS_ON = `query($t: ID!) { executions(targetId: $t, first: 10) { totalCount edges { node { id targets(targetId: $t, first: 1) { targetId targetName status } } } } }`
    const pool = api.h.platform.pool
    const original = pool.query.bind(pool)
    const sql: string[] = []
    pool.query = ((...args: Parameters<typeof pool.query>) => (sql.push(String(args[0])), original(...args))) as typeof pool.query
    const answer = await admin(RUNS_ON, { t: other }).finally(() => (pool.query = original))
    // The executions' runs and jobs are read once for the page, not once per execution.
    expect(sql.filter((q) => q.includes('FROM target_runs WHERE execution_id = e.id'))).toHaveLength(1)
    const ofOther = answer.data?.executions as { totalCount: number; edges: Array<{ node: { id: string; targets: unknown[] } }> }
    expect(ofOther.totalCount).toBe(2)
    expect(ofOther.edges.map((e) => e.node.id)).toEqual([both, onlyOther])
    for (const { node } of ofOther.edges) expect(node.targets).toEqual([{ targetId: other, targetName: 'gql-local-b', status: 'SUCCEEDED' }])
    const ofFirst = (await admin(RUNS_ON, { t: targetId })).data?.executions as { edges: Array<{ node: { id: string } }> }
    expect(ofFirst.edges.map((e) => e.node.id)).toContain(both)
    expect(ofFirst.edges.map((e) => e.node.id)).not.toContain(onlyOther)
    const bad = await admin('{ executions(targetId: "nope") { totalCount } }')
    expect(bad.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'targetId' } })
  })

  it('runs on the given targets only when the filter beside them is blank', async () => {
    await admin('mutation { registerTarget(name: "gql-bystander", address: "localhost", connection: LOCAL) { id } }')
    for (const blank of ['', '   ']) {
      const run = await admin('mutation($job: ID!, $t: ID!, $f: String) { runJob(jobId: $job, targetIds: [$t], targetFilter: $f, parameters: { name: "x" }) { summary { total } targets { targetId } } }', {
        job: jobId,
        t: targetId,
        f: blank
      })
      expect(run.errors).toBeUndefined()
      expect(run.data?.runJob.summary.total).toBe(1)
    }
  })

  it('shows a removed target as it was when it ran (TargetRun.target is never null, as the contract says)', async () => {
    const t = await admin('mutation { registerTarget(name: "gql-removed", address: "localhost", connection: LOCAL, tags: ["gone"]) { id } }')
    const removedId = (t.data?.registerTarget as { id: string }).id
    const run = await admin('mutation($job: ID!, $t: ID!) { runJob(jobId: $job, targetIds: [$t], parameters: { name: "r" }) { id } }', { job: jobId, t: removedId })
    const id = (run.data?.runJob as { id: string }).id
    expect(await waitForStatus(id)).toBe('SUCCEEDED')
    await admin('mutation($id: ID!) { removeTarget(id: $id) }', { id: removedId })
    const answer = await admin('query($id: ID!) { execution(id: $id) { targets { targetName target { id name address tags } } } }', { id })
    expect(answer.errors).toBeUndefined()
    expect(answer.data?.execution.targets).toEqual([{ targetName: 'gql-removed', target: { id: removedId, name: 'gql-removed', address: 'localhost', tags: ['gone'] } }])
  })

  it('lets a viewer read executions but not run, cancel or re-run them', async () => {
    const viewer = await api.userToken('VIEWER')
    const r = await api.gql('mutation($job: ID!) { runJob(jobId: $job, targetFilter: "tag:gql", parameters: { name: "x" }) { id } }', { job: jobId }, { token: viewer.token })
    expect(r.errors?.[0]?.extensions?.code).toBe('FORBIDDEN')
    const list = await api.gql('{ executions { totalCount } }', undefined, { token: viewer.token })
    expect(list.errors).toBeUndefined()
  })

  it('re-runs only the failed targets of an execution', async () => {
    const failing = await admin('mutation { defineJob(name: "gql-fail", steps: [{ kind: "COMMAND", command: "exit 4" }]) { id } }')
    const run = await admin('mutation($job: ID!) { runJob(jobId: $job, targetFilter: "tag:gql") { id } }', { job: (failing.data?.defineJob as { id: string }).id })
    const id = (run.data?.runJob as { id: string }).id
    expect(await waitForStatus(id)).toBe('FAILED')
    const again = await admin('mutation($id: ID!) { rerunExecution(id: $id) { id targets { targetName } } }', { id })
    expect(again.errors).toBeUndefined()
    const rerun = again.data?.rerunExecution as { id: string; targets: Array<{ targetName: string }> }
    expect(rerun.id).not.toBe(id)
    expect(rerun.targets.map((t) => t.targetName)).toEqual(['gql-local'])
    expect(await waitForStatus(rerun.id)).toBe('FAILED')
  })

  // Last: it stops the sink.
  it('answers what was decided, with a warning, when the change cannot be made durable in time', async () => {
    api.h.stopSinks()
    const run = await admin('mutation($job: ID!, $t: ID!) { runJob(jobId: $job, targetIds: [$t], parameters: { name: "x" }) { id status jobName summary { total pending } targets { targetId } } }', {
      job: jobId,
      t: targetId
    })
    expect(run.errors).toBeUndefined()
    expect((run.extensions as { warnings?: Array<{ code: string }> } | undefined)?.warnings?.[0]?.code).toBe('NOT_YET_DURABLE')
    const execution = run.data?.runJob as { id: string }
    expect(run.data?.runJob).toEqual({ id: execution.id, status: 'QUEUED', jobName: 'gql-hello', summary: { total: 1, pending: 1 }, targets: [] })
    const cancel = await admin('mutation($id: ID!) { cancelExecution(id: $id) { id cancelRequested } }', { id: execution.id })
    expect(cancel.errors).toBeUndefined()
    expect(cancel.data?.cancelExecution).toEqual({ id: execution.id, cancelRequested: true })
  })
})
