import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { Effect } from 'effect'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCredential } from '../commands/credentials.ts'
import { Rejected } from '../commands/errors.ts'
import { runJob, type RunJobInput } from '../commands/executions.ts'
import { defineJob, type DefineJobInput } from '../commands/jobs.ts'
import { registerTarget } from '../commands/targets.ts'
import { storedOutput } from '../test/output.ts'
import type { CommandServices } from '../runtime/platform.ts'
import { waitForEnd as waitForEndOf } from '../test/executions.ts'
import { context, openHarness, type Harness } from '../test/harness.ts'
import { sshFacts } from '../test/support.ts'

// Failure policies, parallelism, rolling batches, retries, timeouts and parameter checks, end to
// end: runJob → sink → dispatcher → work queue → worker → loopback sshd → reports → projections.

let h: Harness
const run = <A, E>(effect: Effect.Effect<A, E, CommandServices>) => h.platform.commands.runPromise(effect)
/** Unique per test run: remote files and process names never meet another run's. */
const RUN = `${process.pid}-${Date.now().toString(36)}`
const remoteFiles: string[] = []

beforeAll(async () => {
  h = await openHarness()
  await h.startExecution(1, 32)
})
afterAll(async () => {
  await h?.close()
  for (const file of remoteFiles) rmSync(file, { force: true, recursive: true })
})

const waitForEnd = (executionId: string, timeoutMs?: number) => waitForEndOf(h, executionId, timeoutMs)

interface RunRow {
  target_id: string
  target_name: string
  ordinal: number
  status: string
  attempt: number
  exit_code: number | null
  reason: string | null
  started_at: Date | null
  finished_at: Date | null
}
const runsOf = async (executionId: string) =>
  (await h.platform.pool.query<RunRow>('SELECT * FROM target_runs WHERE execution_id = $1 ORDER BY ordinal', [executionId])).rows

const eventsOf = async (executionId: string) =>
  (await h.platform.pool.query<{ type: string; data: Record<string, unknown> }>('SELECT type, data FROM events WHERE stream = $1 ORDER BY position, idx', [`execution-${executionId}`])).rows

const outputOf = (executionId: string, targetId: string, attempt?: number) => storedOutput(h, executionId, targetId, attempt)

const job = (input: DefineJobInput) => run(defineJob(input, context()))
const start = (input: RunJobInput) => run(runJob(input, context()))

let credentialId = ''
/** SSH targets on the loopback sshd; `broken` ones point at a closed port and fail to connect. */
const targetsFor = async (prefix: string, layout: ReadonlyArray<'ok' | 'broken'>) => {
  const ssh = sshFacts()
  if (!credentialId) {
    credentialId = (await run(createCredential({ name: 'policies-key', kind: 'SSH_KEY', username: ssh.user, privateKey: readFileSync(ssh.keyPath, 'utf8') }, context()))).id
  }
  const ids: string[] = []
  for (const [i, kind] of layout.entries()) {
    const port = kind === 'ok' ? ssh.port : 1
    ids.push((await run(registerTarget({ name: `${prefix}-${i}`, address: ssh.host, port, connection: 'SSH', credentialId, tags: [prefix] }, context()))).id)
  }
  return ids
}

/** The largest number of runs whose [started, finished] intervals overlap at one instant. */
const maxConcurrent = (runs: ReadonlyArray<RunRow>): number => {
  const edges = runs.flatMap((r) => [
    { at: r.started_at!.getTime(), delta: 1 },
    { at: r.finished_at!.getTime(), delta: -1 }
  ])
  // At the same millisecond an end counts before a start: the next run only starts after one ended.
  edges.sort((a, b) => a.at - b.at || a.delta - b.delta)
  let now = 0
  let peak = 0
  for (const e of edges) peak = Math.max(peak, (now += e.delta))
  return peak
}

describe('Execution policies', () => {
  describe('failure policy', () => {
    it('STOP: the first failing target stops dispatch; the rest are SKIPPED and the execution FAILED', async () => {
      const ids = await targetsFor('stop', ['ok', 'ok', 'ok', 'ok', 'ok', 'ok'])
      // The third target to run fails (a counter on the remote side; parallelism 1 keeps the order).
      const dir = `/tmp/ops-stop-${RUN}`
      remoteFiles.push(dir)
      const third = await job({ name: 'third-fails', steps: [{ kind: 'COMMAND', command: `mkdir -p ${dir} && touch ${dir}/$$ && test "$(ls ${dir} | wc -l)" -ne 3` }] })
      const execution = await start({ jobId: third.id, targetIds: ids, options: { parallelism: 1, failurePolicy: 'STOP' } })
      expect(await waitForEnd(execution.id)).toBe('FAILED')
      const runs = await runsOf(execution.id)
      expect(runs.map((r) => r.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'FAILED', 'SKIPPED', 'SKIPPED', 'SKIPPED'])
      expect(runs[2]).toMatchObject({ exit_code: 1, reason: 'step 1 exited with 1' })
      expect(runs[3]!.reason).toContain('failure policy STOP')
      // Skipped targets never ran.
      expect(runs.slice(3).every((r) => r.started_at === null)).toBe(true)
      const { rows } = await h.platform.pool.query('SELECT status, succeeded, failed, skipped, reason FROM executions WHERE id = $1', [execution.id])
      expect(rows[0]).toMatchObject({ status: 'FAILED', succeeded: 2, failed: 1, skipped: 3 })
      expect(rows[0].reason).toContain('stop-2')
      const triggered = (await eventsOf(execution.id)).filter((e) => e.type === 'FailurePolicyTriggered')
      expect(triggered).toHaveLength(1)
      expect(triggered[0]!.data).toMatchObject({ policy: 'STOP', targetId: ids[2], failed: 1, succeeded: 2 })
    })

    it('CONTINUE: the other targets still run and succeed; the execution ends FAILED', async () => {
      const ids = await targetsFor('continue', ['ok', 'broken', 'ok', 'ok', 'ok'])
      const echo = await job({ name: 'continue-echo', steps: [{ kind: 'COMMAND', command: 'echo fine' }] })
      const execution = await start({ jobId: echo.id, targetIds: ids, options: { parallelism: 2, failurePolicy: 'CONTINUE' } })
      expect(await waitForEnd(execution.id)).toBe('FAILED')
      const runs = await runsOf(execution.id)
      expect(runs.map((r) => r.status)).toEqual(['SUCCEEDED', 'FAILED', 'SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED'])
      expect(runs[1]!.reason).toMatch(/cannot connect to target continue-1 .*ECONNREFUSED/)
      for (const i of [0, 2, 3, 4]) expect(await outputOf(execution.id, ids[i]!)).toBe('fine\n')
      const { rows } = await h.platform.pool.query('SELECT succeeded, failed, skipped, reason FROM executions WHERE id = $1', [execution.id])
      expect(rows[0]).toMatchObject({ succeeded: 4, failed: 1, skipped: 0, reason: '1 of 5 targets did not succeed (1 failed)' })
      expect((await eventsOf(execution.id)).some((e) => e.type === 'FailurePolicyTriggered')).toBe(false)
    })

    it('maxFailedPercent: stops once the failed share of finished targets exceeds it', async () => {
      // In order: 1 of 4 finished failed (25 %) keeps going; 2 of 6 (33 %) is over 30 % and stops.
      const ids = await targetsFor('share', ['ok', 'ok', 'ok', 'broken', 'ok', 'broken', 'ok', 'ok', 'ok', 'ok'])
      const echo = await job({ name: 'share-echo', steps: [{ kind: 'COMMAND', command: 'true' }] })
      const execution = await start({ jobId: echo.id, targetIds: ids, options: { parallelism: 1, maxFailedPercent: 30 } })
      expect(await waitForEnd(execution.id)).toBe('FAILED')
      const runs = await runsOf(execution.id)
      expect(runs.map((r) => r.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED', 'FAILED', 'SUCCEEDED', 'FAILED', 'SKIPPED', 'SKIPPED', 'SKIPPED', 'SKIPPED'])
      const triggered = (await eventsOf(execution.id)).filter((e) => e.type === 'FailurePolicyTriggered')
      expect(triggered.map((e) => e.data)).toMatchObject([{ policy: 'MAX_FAILED_PERCENT', targetId: ids[5], failed: 2, succeeded: 4 }])
      expect(String(triggered[0]!.data.reason)).toContain('maxFailedPercent 30%')
    })
  })

  describe('scheduling', () => {
    it('never runs more targets at once than the parallelism', async () => {
      const ids = await targetsFor('par', Array.from({ length: 12 }, () => 'ok' as const))
      const nap = await job({ name: 'par-nap', steps: [{ kind: 'COMMAND', command: 'sleep 0.4' }] })
      const execution = await start({ jobId: nap.id, targetIds: ids, options: { parallelism: 3 } })
      expect(await waitForEnd(execution.id)).toBe('SUCCEEDED')
      const runs = await runsOf(execution.id)
      const peak = maxConcurrent(runs)
      expect(peak).toBeLessThanOrEqual(3)
      expect(peak).toBeGreaterThanOrEqual(2) // and it does run them side by side
      // The same from the step events' point of view (StepStarted … TargetRunFinished).
      const events = await h.platform.pool.query<{ type: string; target: string; at: Date }>(
        `SELECT type, data->>'targetId' AS target, occurred_at AS at FROM events
         WHERE stream = $1 AND type IN ('StepStarted', 'TargetRunFinished') ORDER BY position, idx`,
        [`execution-${execution.id}`]
      )
      let live = 0
      let most = 0
      for (const e of events.rows) most = Math.max(most, (live += e.type === 'StepStarted' ? 1 : -1))
      expect(most).toBeLessThanOrEqual(3)
    })

    it('rolling batches: batch 2 starts only after every target of batch 1 finished', async () => {
      const ids = await targetsFor('batch', Array.from({ length: 7 }, () => 'ok' as const))
      const nap = await job({ name: 'batch-nap', steps: [{ kind: 'COMMAND', command: 'sleep 0.3' }] })
      const execution = await start({ jobId: nap.id, targetIds: ids, options: { parallelism: 10, batchSize: { count: 3 } } })
      expect(await waitForEnd(execution.id)).toBe('SUCCEEDED')
      const runs = await runsOf(execution.id)
      const batches = [runs.slice(0, 3), runs.slice(3, 6), runs.slice(6)]
      for (let b = 1; b < batches.length; b++) {
        const lastFinish = Math.max(...batches[b - 1]!.map((r) => r.finished_at!.getTime()))
        const firstStart = Math.min(...batches[b]!.map((r) => r.started_at!.getTime()))
        expect(firstStart).toBeGreaterThanOrEqual(lastFinish)
      }
      // Within a batch the targets run side by side (parallelism 10 > batch size 3).
      expect(maxConcurrent(batches[0]!)).toBeGreaterThanOrEqual(2)
      expect(maxConcurrent(runs)).toBeLessThanOrEqual(3)
    })
  })

  describe('retries and timeouts', () => {
    it('retries a failed attempt after the backoff; attempt 2 SUCCEEDED', async () => {
      const [id] = await targetsFor('retry', ['ok'])
      const marker = `/tmp/ops-retry-${RUN}`
      remoteFiles.push(marker)
      const flaky = await job({ name: 'flaky', steps: [{ kind: 'COMMAND', command: `test -f ${marker} || { touch ${marker}; echo first; exit 1; }; echo second` }] })
      const execution = await start({ jobId: flaky.id, targetIds: [id!], options: { retries: 2, retryBackoffSeconds: 1 } })
      expect(await waitForEnd(execution.id)).toBe('SUCCEEDED')
      const [row] = await runsOf(execution.id)
      expect(row).toMatchObject({ status: 'SUCCEEDED', attempt: 2, exit_code: 0 })
      const events = await eventsOf(execution.id)
      const finished = events.filter((e) => e.type === 'TargetRunFinished').map((e) => e.data)
      expect(finished).toMatchObject([{ attempt: 1, status: 'FAILED', exitCode: 1 }, { attempt: 2, status: 'SUCCEEDED' }])
      const retry = events.find((e) => e.type === 'TargetRunRetryScheduled')!.data as { attempt: number; notBefore: string; at: string }
      expect(retry.attempt).toBe(2)
      expect(Date.parse(retry.notBefore) - Date.parse(retry.at)).toBe(1_000)
      // The backoff was honoured: attempt 2 started no earlier than notBefore.
      const started2 = events.find((e) => e.type === 'TargetRunStarted' && e.data.attempt === 2)!.data as { at: string }
      expect(Date.parse(started2.at)).toBeGreaterThanOrEqual(Date.parse(retry.notBefore))
      expect(await outputOf(execution.id, id!, 1)).toBe('first\n')
      expect(await outputOf(execution.id, id!, 2)).toBe('second\n')
    })

    it('a step over its timeout fails the target with a timeout reason and leaves no process behind', async () => {
      const [id] = await targetsFor('timeout', ['ok'])
      const marker = `sleep 3${Math.floor(Math.random() * 90 + 10)}.${process.pid}`
      const sleepy = await job({ name: 'sleepy', steps: [{ kind: 'COMMAND', command: marker }] })
      const remote = () => {
        try {
          return execFileSync('pgrep', ['-u', sshFacts().user, '-f', marker]).toString().trim()
        } catch {
          return '' // pgrep exits 1 when nothing matches
        }
      }
      const began = Date.now()
      const execution = await start({ jobId: sleepy.id, targetIds: [id!], options: { stepTimeoutSeconds: 1 } })
      // It did run on the remote side before the timeout stopped it.
      let seen = ''
      while (!seen && Date.now() - began < 5_000) {
        await new Promise((r) => setTimeout(r, 50)) // the worker runs in this process: let it
        seen = remote()
      }
      expect(seen).not.toBe('')
      expect(await waitForEnd(execution.id, 20_000)).toBe('FAILED')
      expect(Date.now() - began).toBeLessThan(10_000)
      const [row] = await runsOf(execution.id)
      expect(row!.status).toBe('FAILED')
      expect(row!.reason).toMatch(/timed out/)
      const step = (await eventsOf(execution.id)).find((e) => e.type === 'StepFinished')!.data
      expect(step).toMatchObject({ timedOut: true })
      expect(remote()).toBe('')
    })
  })

  describe('parameters', () => {
    it('rejects bad parameter values at runJob, naming the field, and publishes nothing', async () => {
      const [id] = await targetsFor('params', ['ok'])
      const typed = await job({
        name: 'typed',
        steps: [{ kind: 'COMMAND', command: 'echo {{name}} {{count}} {{mode}}' }],
        parameters: [
          { name: 'name', type: 'STRING', required: true, pattern: '[a-z]+' },
          { name: 'count', type: 'INT' },
          { name: 'mode', type: 'ENUM', choices: ['fast', 'slow'] }
        ]
      })
      const cases: Array<[unknown, string]> = [
        [{}, 'parameters.name'],
        [{ name: 'web', count: 'many' }, 'parameters.count'],
        [{ name: 'Web01' }, 'parameters.name'],
        [{ name: 'web', colour: 'red' }, 'parameters.colour'],
        [{ name: 'web', mode: 'medium' }, 'parameters.mode']
      ]
      const before = await h.platform.eventLog.lastSequence()
      for (const [parameters, field] of cases) {
        const result = await h.platform.commands.runPromise(Effect.result(runJob({ jobId: typed.id, targetIds: [id!], parameters }, context())))
        expect(result._tag).toBe('Failure')
        if (result._tag !== 'Failure') continue
        expect(result.failure).toBeInstanceOf(Rejected)
        expect((result.failure as Rejected).rejection).toMatchObject({ _tag: 'InvalidInput', field })
      }
      expect(await h.platform.eventLog.lastSequence()).toBe(before)
      const { rows } = await h.platform.pool.query('SELECT count(*)::int AS n FROM executions WHERE job_id = $1', [typed.id])
      expect(rows[0].n).toBe(0)
    })

    it('runs a shell injection attempt in a parameter as literal text', async () => {
      const [id] = await targetsFor('inject', ['ok'])
      const pwned = [`/tmp/pwned-${RUN}-a`, `/tmp/pwned-${RUN}-b`, `/tmp/pwned-${RUN}-c`]
      remoteFiles.push(...pwned)
      const msg = `$(touch ${pwned[0]}); touch ${pwned[1]} \`touch ${pwned[2]}\` '"`
      const say = await job({ name: 'say', steps: [{ kind: 'COMMAND', command: 'echo {{msg}}' }], parameters: [{ name: 'msg', type: 'STRING', required: true }] })
      const execution = await start({ jobId: say.id, targetIds: [id!], parameters: { msg } })
      expect(await waitForEnd(execution.id)).toBe('SUCCEEDED')
      expect(await outputOf(execution.id, id!)).toBe(`${msg}\n`)
      for (const file of pwned) expect(existsSync(file)).toBe(false)
    })
  })
})
