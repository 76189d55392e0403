import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { Effect } from 'effect'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCredential } from '../commands/credentials.ts'
import { cancelExecution, reportOnExecution, runJob, type RunJobInput } from '../commands/executions.ts'
import { defineJob, type DefineJobInput } from '../commands/jobs.ts'
import { registerTarget } from '../commands/targets.ts'
import { storedOutput } from '../test/output.ts'
import type { CommandServices } from '../runtime/platform.ts'
import { waitForEnd as waitForEndOf } from '../test/executions.ts'
import { context, openHarness, type Harness } from '../test/harness.ts'
import { sshFacts } from '../test/support.ts'

let h: Harness
beforeAll(async () => {
  h = await openHarness()
  await h.startExecution(1, 32)
})
afterAll(async () => {
  await h?.close()
})

const run = <A, E>(effect: Effect.Effect<A, E, CommandServices>) => h.platform.commands.runPromise(effect)

const waitForEnd = (executionId: string, timeoutMs?: number) => waitForEndOf(h, executionId, timeoutMs)

const outputOf = (executionId: string, targetId: string) => storedOutput(h, executionId, targetId)

const job = (input: DefineJobInput) => run(defineJob(input, context()))
const start = (input: RunJobInput) => run(runJob(input, context()))

let sshCredential = ''
const sshTargets = async (n: number, prefix: string) => {
  const ssh = sshFacts()
  if (!sshCredential) {
    sshCredential = (await run(createCredential({ name: 'opsbot-key', kind: 'SSH_KEY', username: ssh.user, privateKey: readFileSync(ssh.keyPath, 'utf8') }, context()))).id
  }
  const ids: string[] = []
  for (let i = 0; i < n; i++) {
    ids.push((await run(registerTarget({ name: `${prefix}-${i}`, address: ssh.host, port: ssh.port, connection: 'SSH', credentialId: sshCredential, tags: [prefix] }, context()))).id)
  }
  return ids
}

describe('Running jobs', () => {
  it('stops running steps once its attempt was interrupted (its work went to another worker)', async () => {
    const local = await run(registerTarget({ name: 'interrupted-local', address: 'localhost', connection: 'LOCAL' }, context()))
    const marker = `/tmp/ops-interrupted-${process.pid}-${Date.now()}`
    const steps = await job({ name: 'two-steps-interrupted', steps: [{ kind: 'COMMAND', command: 'sleep 1.5' }, { kind: 'COMMAND', command: `touch ${marker}` }] })
    const execution = await start({ jobId: steps.id, targetIds: [local.id] })
    // While step 1 runs, the attempt is declared lost (as the watchdog would).
    for (let i = 0; i < 100; i++) {
      const { rows } = await h.platform.pool.query("SELECT status FROM target_runs WHERE execution_id = $1 AND status = 'RUNNING'", [execution.id])
      if (rows.length > 0) break
      await new Promise((r) => setTimeout(r, 20))
    }
    await run(reportOnExecution({ type: 'InterruptTargetRun', executionId: execution.id, targetId: local.id, attempt: 1, reason: 'test: lost', at: new Date().toISOString() }, context()))
    expect(await waitForEnd(execution.id)).toBe('FAILED')
    await new Promise((r) => setTimeout(r, 2_500))
    expect(() => readFileSync(marker)).toThrow()
  })

  it('runs a command on a LOCAL target with a parameter and stores its output', async () => {
    const local = await run(registerTarget({ name: 'worker-local', address: 'localhost', connection: 'LOCAL' }, context()))
    const hello = await job({ name: 'hello', steps: [{ kind: 'COMMAND', command: 'echo hello {{who}}' }], parameters: [{ name: 'who', type: 'STRING', required: true }] })
    const execution = await start({ jobId: hello.id, targetIds: [local.id], parameters: { who: 'world; echo INJECTED' } })
    expect(await waitForEnd(execution.id)).toBe('SUCCEEDED')
    const out = await outputOf(execution.id, local.id)
    expect(out).toBe('hello world; echo INJECTED\n')
  })

  it('runs 3 steps on 12 SSH targets with parallelism 4, pinning host keys on first use', async () => {
    const ids = await sshTargets(12, 'fleet')
    const steps = await job({
      name: 'three-steps',
      steps: [
        { kind: 'COMMAND', command: 'echo step-one' },
        { kind: 'SCRIPT', script: 'echo "from script $((20 + 22))"' },
        { kind: 'COMMAND', command: 'hostname >/dev/null && echo done' }
      ]
    })
    const execution = await start({ jobId: steps.id, targetFilter: 'tag:fleet', options: { parallelism: 4 } })
    expect(await waitForEnd(execution.id)).toBe('SUCCEEDED')
    for (const id of ids) expect(await outputOf(execution.id, id)).toBe('step-one\nfrom script 42\ndone\n')
    const { rows } = await h.platform.pool.query<{ host_key: string | null }>('SELECT host_key FROM targets WHERE id = ANY($1::uuid[])', [ids])
    expect(rows.every((r) => r.host_key?.startsWith('ssh-ed25519 SHA256:'))).toBe(true)
  })

  it('fails a target whose step exits non-zero and records the exit code', async () => {
    const [id] = await sshTargets(1, 'failing')
    const failing = await job({ name: 'failing', steps: [{ kind: 'COMMAND', command: 'echo oops >&2; exit 3' }, { kind: 'COMMAND', command: 'echo never' }] })
    const execution = await start({ jobId: failing.id, targetIds: [id!] })
    expect(await waitForEnd(execution.id)).toBe('FAILED')
    const { rows } = await h.platform.pool.query('SELECT status, exit_code, reason FROM target_runs WHERE execution_id = $1', [execution.id])
    expect(rows[0]).toMatchObject({ status: 'FAILED', exit_code: 3 })
    expect(await outputOf(execution.id, id!)).toBe('oops\n')
  })

  it('cancel kills the remote process and ends the execution CANCELLED', async () => {
    const [id] = await sshTargets(1, 'sleepy')
    const marker = `sleep 3${Math.floor(Math.random() * 90 + 10)}`
    const sleepy = await job({ name: 'sleepy', steps: [{ kind: 'COMMAND', command: marker }] })
    const execution = await start({ jobId: sleepy.id, targetIds: [id!] })
    const remote = () => {
      try {
        return execFileSync('pgrep', ['-u', sshFacts().user, '-f', marker]).toString().trim()
      } catch {
        return ''
      }
    }
    const deadline = Date.now() + 20_000
    while (!remote() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
    expect(remote()).not.toBe('')
    const cancelledAt = Date.now()
    await run(cancelExecution(execution.id, context()))
    expect(await waitForEnd(execution.id, 20_000)).toBe('CANCELLED')
    expect(Date.now() - cancelledAt).toBeLessThan(10_000)
    expect(remote()).toBe('')
  })
})
