import { Effect } from 'effect'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cancelExecution, rerunExecution, runJob, type RunJobInput } from '../commands/executions.ts'
import { loadState, stepContext, type CommandContext } from '../commands/handler.ts'
import { idFromCommand } from '../commands/ids.ts'
import { defineJob } from '../commands/jobs.ts'
import { registerTarget } from '../commands/targets.ts'
import { executions } from '../domains/executions/index.ts'
import { jobRuns } from '../domains/job-runs/index.ts'
import type { ConcurrencyInput } from '../domains/jobs/index.ts'
import { readCheckpoint } from '../projections/event-store.ts'
import type { CommandServices, Platform } from '../runtime/platform.ts'
import { context, openHarness, type Harness } from '../test/harness.ts'

let h: Harness
let local = ''
beforeAll(async () => {
  h = await openHarness()
  await h.startExecution(1, 32)
  local = (await run(registerTarget({ name: 'slots-local', address: 'localhost', connection: 'LOCAL' }, context()))).id
})
afterAll(async () => {
  await h?.close()
})

const run = <A, E>(effect: Effect.Effect<A, E, CommandServices>, p: Platform = h.platform) => p.commands.runPromise(effect)
const attempt = <A, E>(effect: Effect.Effect<A, E, CommandServices>, p: Platform = h.platform) => p.commands.runPromise(Effect.result(effect))

let jobs = 0
const jobWith = async (command: string, concurrency: ConcurrencyInput) =>
  (await run(defineJob({ name: `slots-${++jobs}`, steps: [{ kind: 'COMMAND', command }], concurrency }, context()))).id
const runOf = (jobId: string, ctx: CommandContext = context(), p?: Platform) => attempt(runJob({ jobId, targetIds: [local] } satisfies RunJobInput, ctx), p)
const started = async (jobId: string) => {
  const result = await runOf(jobId)
  if (result._tag === 'Failure') throw new Error(`runJob refused: ${result.failure.message}`)
  return result.success.id
}

interface Row {
  status: string
  started_at: Date | null
  finished_at: Date | null
}
const rowOf = async (executionId: string): Promise<Row | undefined> =>
  (await h.platform.pool.query<Row>('SELECT status, started_at, finished_at FROM executions WHERE id = $1', [executionId])).rows[0]

const waitFor = async <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}
const waitForStatus = (executionId: string, statuses: ReadonlyArray<string>) =>
  waitFor(`${executionId} to be ${statuses.join('/')}`, async () => {
    const row = await rowOf(executionId)
    return row && statuses.includes(row.status) ? row : undefined
  })
const waitForEnd = (executionId: string) => waitForStatus(executionId, ['SUCCEEDED', 'FAILED', 'CANCELLED'])
const slotsOf = (jobId: string) => run(loadState(jobRuns, jobId, true))

/** Lets the sink catch up with the bus, so the events table holds everything published so far. */
const settled = async () => {
  const last = await h.platform.eventLog.lastSequence()
  await waitFor('the sink', async () => ((await readCheckpoint(h.platform.pool, 'sink')) >= last ? true : undefined))
}

describe('Job concurrency', () => {
  it('SKIP with max 1 refuses a second run while one runs, publishing nothing for it, and takes a new one after', async () => {
    const jobId = await jobWith('sleep 1', { policy: 'SKIP', max: 1 })
    const first = await started(jobId)
    const refusedContext = context()
    const refused = await runOf(jobId, refusedContext)
    expect(refused._tag === 'Failure' && refused.failure._tag === 'Rejected' && refused.failure.rejection).toMatchObject({
      _tag: 'JobAlreadyRunning',
      category: 'conflict',
      message: expect.stringMatching(/^job "slots-\d+" is already running \(1 of max 1\)$/)
    })
    await settled()
    const published = await h.platform.pool.query("SELECT type FROM events WHERE meta->>'correlationId' = $1", [refusedContext.commandId])
    expect(published.rows).toEqual([])
    expect((await run(loadState(executions, idFromCommand(refusedContext.commandId, 'execution'), true))).status).toBe('absent')

    expect((await waitForEnd(first)).status).toBe('SUCCEEDED')
    const again = await started(jobId)
    expect((await waitForEnd(again)).status).toBe('SUCCEEDED')
  })

  it('QUEUE with max 1 holds the second run until the first finishes, then starts it on its own', async () => {
    const jobId = await jobWith('sleep 1', { policy: 'QUEUE', max: 1 })
    const first = await started(jobId)
    const second = await started(jobId)
    await waitForStatus(first, ['RUNNING'])
    const waiting = await rowOf(second)
    expect(waiting?.status).toBe('QUEUED')
    const dispatched = await h.platform.pool.query("SELECT count(*)::int AS n FROM target_runs WHERE execution_id = $1 AND status <> 'PENDING'", [second])
    expect(dispatched.rows[0].n).toBe(0)
    expect((await slotsOf(jobId)).queue.map((r) => r.executionId)).toEqual([second])

    const [a, b] = [await waitForEnd(first), await waitForEnd(second)]
    expect([a.status, b.status]).toEqual(['SUCCEEDED', 'SUCCEEDED'])
    expect(b.started_at!.getTime()).toBeGreaterThanOrEqual(a.finished_at!.getTime())
    await waitFor('both slots released', async () => ((await slotsOf(jobId)).active.length === 0 ? true : undefined))
  })

  it('QUEUE: cancelling a waiting run ends it CANCELLED and gives up its place in the queue', async () => {
    const jobId = await jobWith('sleep 2', { policy: 'QUEUE', max: 1 })
    const first = await started(jobId)
    const second = await started(jobId)
    const third = await started(jobId)
    await run(cancelExecution(second, context()))
    expect((await waitForEnd(second)).status).toBe('CANCELLED')
    await waitFor('the cancelled run to leave the queue', async () => {
      const slots = await slotsOf(jobId)
      return slots.queue.every((r) => r.executionId !== second) ? slots : undefined
    })
    expect((await slotsOf(jobId)).queue.map((r) => r.executionId)).toEqual([third])
    const [a, c] = [await waitForEnd(first), await waitForEnd(third)]
    expect([a.status, c.status]).toEqual(['SUCCEEDED', 'SUCCEEDED'])
    expect((await rowOf(second))?.started_at).toBeNull()
  })

  it('a re-run takes its turn under the job policy like any other run', async () => {
    const jobId = await jobWith('sleep 1', { policy: 'SKIP', max: 1 })
    const first = await started(jobId)
    const rerun = await attempt(rerunExecution(first, false, context()))
    expect(rerun._tag === 'Failure' && rerun.failure._tag === 'Rejected' && rerun.failure.rejection._tag).toBe('JobAlreadyRunning')
    await waitForEnd(first)
    const again = await run(rerunExecution(first, false, context()))
    expect((await waitForEnd(again.id)).status).toBe('SUCCEEDED')
  })

  it('frees a slot whose execution was never requested (its writer died between claim and request)', async () => {
    const jobId = await jobWith('true', { policy: 'SKIP', max: 1 })
    const ghost = idFromCommand(crypto.randomUUID(), 'execution')
    const longAgo = new Date(Date.now() - 10 * 60_000).toISOString()
    await h.run(h.platform, jobRuns, { type: 'ClaimRun', jobId, jobName: 'ghost', executionId: ghost, policy: 'SKIP', max: 1, at: longAgo })
    const accepted = await started(jobId)
    expect((await waitForEnd(accepted)).status).toBe('SUCCEEDED')
    await settled()
    const released = await h.platform.pool.query("SELECT data->>'reason' AS reason FROM events WHERE type = 'RunReleased' AND data->>'executionId' = $1", [ghost])
    expect(released.rows).toEqual([{ reason: 'ABANDONED' }])
  })

  it('a retried run whose earlier claim was released as abandoned claims again instead of running without a slot', async () => {
    const jobId = await jobWith('sleep 5', { policy: 'SKIP', max: 1 })
    // The first try of a runJob claimed a slot and died before requesting the execution.
    const retried = context({ now: new Date(Date.now() - 10 * 60_000).toISOString() })
    const execution = idFromCommand(retried.commandId, 'execution')
    await h.run(h.platform, jobRuns, { type: 'ClaimRun', jobId, jobName: 'retried', executionId: execution, policy: 'SKIP', max: 1, at: retried.now }, stepContext(retried, 'claim-run'))
    // Another run sweeps that claim away as abandoned and takes the slot.
    const other = await started(jobId)
    // Now the first runJob is sent again, with the same command id.
    const again = await runOf(jobId, { ...retried, now: new Date().toISOString() })
    expect(again._tag === 'Failure' && again.failure._tag === 'Rejected' && again.failure.rejection._tag).toBe('JobAlreadyRunning')
    expect((await waitForEnd(other)).status).toBe('SUCCEEDED')
  })

  it('a claim from moments ago whose request has not landed yet still counts', async () => {
    const jobId = await jobWith('true', { policy: 'SKIP', max: 1 })
    const inFlight = idFromCommand(crypto.randomUUID(), 'execution')
    await h.run(h.platform, jobRuns, { type: 'ClaimRun', jobId, jobName: 'in-flight', executionId: inFlight, policy: 'SKIP', max: 1, at: new Date().toISOString() })
    const refused = await runOf(jobId)
    expect(refused._tag === 'Failure' && refused.failure._tag === 'Rejected' && refused.failure.rejection._tag).toBe('JobAlreadyRunning')
  })

  it('ALLOW runs both at once', async () => {
    const jobId = await jobWith('sleep 1', { policy: 'ALLOW', max: 1 })
    const [first, second] = [await started(jobId), await started(jobId)]
    const [a, b] = [await waitForEnd(first), await waitForEnd(second)]
    expect([a.status, b.status]).toEqual(['SUCCEEDED', 'SUCCEEDED'])
    expect(b.started_at!.getTime()).toBeLessThan(a.finished_at!.getTime())
    expect((await slotsOf(jobId)).active).toEqual([])
  })

  it('SKIP with max 2: of 20 runs asked for at once from several writers, exactly 2 are accepted', async () => {
    // Long enough that no accepted run can finish (and free its slot) while the others ask.
    const jobId = await jobWith('sleep 5', { policy: 'SKIP', max: 2 })
    const writers = [h.platform, await h.replica(), await h.replica(), await h.replica()]
    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => runOf(jobId, context(), writers[i % writers.length])))
    const accepted = outcomes.filter((o) => o._tag === 'Success')
    const refused = outcomes.flatMap((o) => (o._tag === 'Failure' && o.failure._tag === 'Rejected' ? [o.failure.rejection._tag] : []))
    expect(accepted).toHaveLength(2)
    expect(refused).toEqual(Array.from({ length: 18 }, () => 'JobAlreadyRunning'))
    for (const o of accepted) if (o._tag === 'Success') expect((await waitForEnd(o.success.id)).status).toBe('SUCCEEDED')
  })
})
