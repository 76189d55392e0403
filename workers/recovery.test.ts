import type { ChildProcess } from 'node:child_process'
import { killProcess, spawnRole } from '../test/processes.ts'
import { readFileSync } from 'node:fs'
import { Effect } from 'effect'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCredential } from '../commands/credentials.ts'
import { runJob } from '../commands/executions.ts'
import { defineJob } from '../commands/jobs.ts'
import { registerTarget } from '../commands/targets.ts'
import type { CommandServices } from '../runtime/platform.ts'
import { context, openHarness, type Harness } from '../test/harness.ts'
import { sshFacts } from '../test/support.ts'

/** Workers as real processes, so one can be killed with SIGKILL in the middle of a run. */
const spawnWorker = (h: Harness) => spawnRole(h, 'workers/main.ts', { OPS_WORK_ACK_WAIT_SECONDS: '3', OPS_WORKER_SLOTS: '4' })
const kill = killProcess

let h: Harness
const workers: ChildProcess[] = []
beforeAll(async () => {
  h = await openHarness()
  await h.startExecution(0)
  workers.push(spawnWorker(h), spawnWorker(h))
})
afterAll(async () => {
  await Promise.all(workers.map(kill))
  await h?.close()
})

const run = <A, E>(effect: Effect.Effect<A, E, CommandServices>) => h.platform.commands.runPromise(effect)

const runsOf = async (executionId: string) =>
  (await h.platform.pool.query<{ status: string; attempt: number; worker_id: string | null; target_id: string }>(
    'SELECT status, attempt, worker_id, target_id FROM target_runs WHERE execution_id = $1', [executionId])).rows

const until = async (what: string, check: () => Promise<boolean>, timeoutMs = 60_000) => {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify((await h.platform.pool.query('SELECT status, worker_id FROM target_runs')).rows)}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

const statusOf = async (executionId: string) =>
  (await h.platform.pool.query<{ status: string }>('SELECT status FROM executions WHERE id = $1', [executionId])).rows[0]?.status

describe('Workers', () => {
  it('share one execution, and a killed worker’s targets are retried by the other', async () => {
    const ssh = sshFacts()
    const credential = await run(createCredential({ name: 'recovery-key', kind: 'SSH_KEY', username: ssh.user, privateKey: readFileSync(ssh.keyPath, 'utf8') }, context()))
    for (let i = 0; i < 8; i++) {
      await run(registerTarget({ name: `shared-${i}`, address: ssh.host, port: ssh.port, connection: 'SSH', credentialId: credential.id, tags: ['shared'] }, context()))
    }
    const slow = await run(defineJob({ name: 'slow', steps: [{ kind: 'COMMAND', command: 'sleep 2; echo finished' }] }, context()))
    const execution = await run(runJob({ jobId: slow.id, targetFilter: 'tag:shared', options: { parallelism: 8, retries: 1, retryBackoffSeconds: 0 } }, context()))

    // Both workers take part; then one of them dies with targets in flight.
    await until('both workers running targets', async () => new Set((await runsOf(execution.id)).filter((r) => r.status === 'RUNNING').map((r) => r.worker_id)).size === 2)
    const victimId = (await runsOf(execution.id)).find((r) => r.status === 'RUNNING')!.worker_id!
    const victim = workers.find((w) => victimId.includes(`-${w.pid}-`))!
    await kill(victim)

    await until('the execution to finish', async () => ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes((await statusOf(execution.id)) ?? ''))
    expect(await statusOf(execution.id)).toBe('SUCCEEDED')
    const runs = await runsOf(execution.id)
    expect(runs.every((r) => r.status === 'SUCCEEDED')).toBe(true)
    const retried = runs.filter((r) => r.attempt === 2)
    expect(retried.length).toBeGreaterThan(0)
    expect(retried.every((r) => r.worker_id !== victimId)).toBe(true)
    const { rows } = await h.platform.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM events WHERE stream = $1 AND type = 'TargetRunInterrupted'", [`execution-${execution.id}`])
    expect(rows[0]!.n).toBe(retried.length)
  }, 90_000)
})
