import { Effect } from 'effect'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runJob } from '../../commands/executions.ts'
import { defineJob } from '../../commands/jobs.ts'
import { registerTarget } from '../../commands/targets.ts'
import type { CommandServices } from '../../runtime/platform.ts'
import { context, openHarness, type Harness } from '../../test/harness.ts'
import type { ApiContext } from '../graphql/context.ts'
import { executionOutputSubscription, executionUpdatedSubscription } from './executions.ts'

let h: Harness
beforeAll(async () => {
  h = await openHarness()
  await h.startExecution(1, 4)
})
afterAll(async () => {
  await h?.close()
})

const run = <A, E>(effect: Effect.Effect<A, E, CommandServices>) => h.platform.commands.runPromise(effect)
const ctx = () => ({ platform: h.platform }) as unknown as ApiContext

describe('Execution subscriptions', () => {
  it('streams a run’s output: what is stored, then live, each chunk once, in order', async () => {
    const target = await run(registerTarget({ name: 'talker', address: 'localhost', connection: 'LOCAL' }, context()))
    const job = await run(defineJob({ name: 'talks', steps: [{ kind: 'COMMAND', command: 'for i in $(seq 1 40); do echo "line $i"; sleep 0.02; done; echo END' }] }, context()))
    const execution = await run(runJob({ jobId: job.id, targetIds: [target.id] }, context()))
    // Subscribe once some output exists, so both the stored part and the live part are exercised.
    await new Promise((r) => setTimeout(r, 400))
    const seqs: number[] = []
    let text = ''
    for await (const chunk of executionOutputSubscription(undefined, { executionId: execution.id, targetId: target.id }, ctx())) {
      seqs.push(chunk.seq)
      text += chunk.text
      if (text.includes('END\n')) break
    }
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1))
    expect(text).toBe(Array.from({ length: 40 }, (_, i) => `line ${i + 1}\n`).join('') + 'END\n')
  }, 30_000)

  it('sends the execution again after changes and ends with its finished state', async () => {
    const target = await run(registerTarget({ name: 'watched', address: 'localhost', connection: 'LOCAL' }, context()))
    const job = await run(defineJob({ name: 'short', steps: [{ kind: 'COMMAND', command: 'sleep 0.3; echo ok' }] }, context()))
    const execution = await run(runJob({ jobId: job.id, targetIds: [target.id] }, context()))
    const statuses: string[] = []
    for await (const e of executionUpdatedSubscription(undefined, { id: execution.id }, ctx())) statuses.push(e.status)
    expect(statuses[statuses.length - 1]).toBe('SUCCEEDED')
    expect(statuses.length).toBeGreaterThan(1)
  }, 30_000)
})
