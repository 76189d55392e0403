import { Effect } from 'effect'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { discardWork, provisionWorkQueue, workSubject } from '../bus/index.ts'
import { runJob } from '../commands/executions.ts'
import { defineJob } from '../commands/jobs.ts'
import { registerTarget } from '../commands/targets.ts'
import type { CommandServices } from '../runtime/platform.ts'
import { context, openHarness, type Harness } from '../test/harness.ts'
import { runWatchdog } from './watchdog.ts'

let h: Harness
const stop = new AbortController()
beforeAll(async () => {
  h = await openHarness()
  await h.startExecution(0)
  await provisionWorkQueue(h.platform.nc, h.platform.eventLog.names, 1)
})
afterAll(async () => {
  stop.abort()
  await h?.close()
})

const run = <A, E>(effect: Effect.Effect<A, E, CommandServices>) => h.platform.commands.runPromise(effect)

describe('Watchdog', () => {
  it('fails a target run whose work was lost, with a reason, so the execution ends', async () => {
    const target = await run(registerTarget({ name: 'lost-work', address: 'localhost', connection: 'LOCAL' }, context()))
    const job = await run(defineJob({ name: 'never-runs', steps: [{ kind: 'COMMAND', command: 'true' }] }, context()))
    const execution = await run(runJob({ jobId: job.id, targetIds: [target.id] }, context()))
    const names = h.platform.eventLog.names
    // No worker runs here: wait for the dispatcher's work item, then lose it.
    const deadline = Date.now() + 10_000
    while ((await discardWork(h.platform.nc, names, workSubject(names, execution.id, target.id))) === 0) {
      if (Date.now() > deadline) throw new Error('the work item never appeared')
      await new Promise((r) => setTimeout(r, 50))
    }
    void runWatchdog({ platform: h.platform, databaseUrl: h.databaseUrl, ackWaitMs: 100, intervalMs: 100, log: () => undefined, signal: stop.signal })
    let status = ''
    for (let i = 0; i < 200 && !['FAILED', 'SUCCEEDED'].includes(status); i++) {
      await new Promise((r) => setTimeout(r, 50))
      status = (await h.platform.pool.query<{ status: string }>('SELECT status FROM executions WHERE id = $1', [execution.id])).rows[0]?.status ?? ''
    }
    expect(status).toBe('FAILED')
    const { rows } = await h.platform.pool.query<{ status: string; reason: string }>('SELECT status, reason FROM target_runs WHERE execution_id = $1', [execution.id])
    expect(rows[0]).toEqual({ status: 'FAILED', reason: 'its work was lost (no worker holds it)' })
  }, 30_000)
})
