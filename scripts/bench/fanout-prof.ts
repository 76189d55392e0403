/**
 * `npx tsx scripts/bench/fanout-prof.ts [N] [--cpu-prof]`: profiling aid for the fan-out bench.
 * Runs `true` on N pooled targets a few times and prints, per run, the CPU seconds used by this
 * process (api + sink + dispatcher + output sink + worker), nats-server, postgres and sshd, and
 * how the execution's reports queued. With --cpu-prof[=round], writes a V8 CPU profile of that run.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'
import { Effect } from 'effect'
import { createCredential } from '../../commands/credentials.ts'
import { runJob } from '../../commands/executions.ts'
import { handleCommand } from '../../commands/handler.ts'
import { defineJob } from '../../commands/jobs.ts'
import { registerTarget } from '../../commands/targets.ts'
import { targets as targetAggregate } from '../../domains/targets/index.ts'
import { ensureTestServices } from '../../runtime/local-test-services.ts'
import type { CommandServices } from '../../runtime/platform.ts'
import { context, openHarness } from '../../test/harness.ts'
import { sshFacts } from '../../test/support.ts'
import { WrongLastSequence } from '../../bus/index.ts'
import { inParallel } from './fanout-peers.ts'
import { percentile } from './stats.ts'
import { describeProfile, profileExecution } from './fanout-profile.ts'

const n = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 200)
const services = await ensureTestServices({ log: () => undefined })
Object.assign(process.env, services.env)
const h = await openHarness()
const run = <A, E>(effect: Effect.Effect<A, E, CommandServices>) => h.platform.commands.runPromise(effect)

/** CPU seconds (user + system) of every process whose command line contains `name`. */
const cpuOf = (name: string): number => {
  let ticks = 0
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      if (!cmd.includes(name)) continue
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
      ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])
    } catch {
      // the process ended meanwhile
    }
  }
  return ticks / 100
}
/** Busy and total jiffies of the whole machine (every core), from /proc/stat. */
const machine = () => {
  const [, ...f] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/)
  const v = f.map(Number)
  const idle = v[3]! + v[4]!
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0)
  return { busy: total - idle, total }
}
const sample = () => ({ node: process.cpuUsage(), nats: cpuOf('nats-server'), pg: cpuOf('postgres'), sshd: cpuOf('sshd'), machine: machine() })

// Every append of this process (reports included) timed, and wrong-last-sequence answers counted.
const appends: number[] = []
const ackedAt = new Map<string, number>()
let conflicts = 0
const log = h.platform.eventLog
const append = log.append.bind(log)
log.append = async (...args: Parameters<typeof append>) => {
  const t = performance.now()
  try {
    const result = await append(...args)
    ackedAt.set(args[2].msgId, Date.now())
    return result
  } catch (error) {
    if (error instanceof WrongLastSequence) conflicts++
    throw error
  } finally {
    appends.push(performance.now() - t)
  }
}

try {
  await h.startExecution(1, 64)
  const ssh = sshFacts()
  const credential = await run(createCredential({ name: 'prof-key', kind: 'SSH_KEY', username: ssh.user, privateKey: readFileSync(ssh.keyPath, 'utf8') }, context()))
  const ids: string[] = new Array(n)
  await inParallel(Array.from({ length: n }, (_, i) => i), 16, async (i) => {
    const t = await run(registerTarget({ name: `prof-${i}`, address: ssh.host, port: ssh.port, connection: 'SSH', credentialId: credential.id, tags: ['prof'] }, context()))
    await run(handleCommand(targetAggregate, { type: 'PinHostKey', targetId: t.id, hostKey: `ssh-ed25519 ${ssh.hostKeyFingerprint}`, at: new Date().toISOString() }, context()))
    ids[i] = t.id
  })
  const job = await run(defineJob({ name: 'prof-true', steps: [{ kind: 'COMMAND', command: 'true' }] }, context()))
  // --cpu-prof profiles round 3 (warm); --cpu-prof=1 the cold round.
  const profArg = process.argv.find((a) => a.startsWith('--cpu-prof'))
  const profRound = profArg?.includes('=') ? Number(profArg.split('=')[1]) : 3
  const profiler = profArg ? new Session() : null
  for (let round = 1; round <= 3; round++) {
    if (profiler && round === profRound) {
      profiler.connect()
      await profiler.post('Profiler.enable')
      await profiler.post('Profiler.start')
    }
    appends.length = 0
    conflicts = 0
    const before = sample()
    const started = performance.now()
    const execution = await run(runJob({ jobId: job.id, targetIds: ids, options: { parallelism: 50 } }, context()))
    for (;;) {
      const { rows } = await h.platform.pool.query<{ status: string }>('SELECT status FROM executions WHERE id = $1', [execution.id])
      if (rows[0]?.status === 'SUCCEEDED') break
      await new Promise((r) => setTimeout(r, 10))
    }
    const seconds = (performance.now() - started) / 1000
    const after = sample()
    const nodeCpu = (after.node.user - before.node.user + after.node.system - before.node.system) / 1e6
    const { rows } = await h.platform.pool.query<{ messages: number; events: number }>(
      'SELECT count(DISTINCT position)::int AS messages, count(*)::int AS events FROM events WHERE stream = $1',
      [`execution-${execution.id}`]
    )
    console.log(
      `round ${round}${round === 1 ? ' (cold)' : ''}: ${n} targets in ${seconds.toFixed(2)} s = ${(n / seconds).toFixed(1)} targets/s; ` +
        `execution stream ${rows[0]!.messages} messages (${(rows[0]!.messages / seconds).toFixed(0)}/s), ${rows[0]!.events} events; CPU s: ` +
        `machine busy ${((100 * (after.machine.busy - before.machine.busy)) / (after.machine.total - before.machine.total)).toFixed(0)}% of all cores; node ${nodeCpu.toFixed(2)}, nats ${(after.nats - before.nats).toFixed(2)}, postgres ${(after.pg - before.pg).toFixed(2)}, sshd ${(after.sshd - before.sshd).toFixed(2)}`
    )
    const sorted = appends.sort((a, b) => a - b)
    console.log(`  appends: ${sorted.length}, ${conflicts} wrong-last-sequence; latency p50 ${percentile(sorted, 50).toFixed(1)} ms, p90 ${percentile(sorted, 90).toFixed(1)} ms, sum ${(sorted.reduce((a, b) => a + b, 0) / 1000).toFixed(2)} s`)
    const chain = await h.platform.pool.query<{ type: string; command: string; occurred: Date; recorded: Date; target: string | null; attempt: number | null }>(
      `SELECT type, meta->>'commandId' AS command, occurred_at AS occurred, recorded_at AS recorded, data->>'targetId' AS target, (data->>'attempt')::int AS attempt
       FROM events WHERE stream = $1 ORDER BY position, idx`,
      [`execution-${execution.id}`]
    )
    const queued: Record<string, number[]> = {}
    const sinkPickup: number[] = []
    const toWorker: number[] = []
    const dispatchedAt = new Map<string, number>()
    for (const e of chain.rows) {
      const acked = ackedAt.get(e.command)
      if (acked === undefined) continue
      ;(queued[e.type] ??= []).push(acked - e.occurred.getTime())
      if (e.type === 'TargetRunDispatched' && e.target) {
        sinkPickup.push(e.recorded.getTime() - acked)
        dispatchedAt.set(e.target, e.recorded.getTime())
      }
      if (e.type === 'TargetRunStarted' && e.target && dispatchedAt.has(e.target)) toWorker.push(e.occurred.getTime() - dispatchedAt.get(e.target)!)
    }
    const p = (xs: number[]) => { const s = xs.sort((a, b) => a - b); return `${percentile(s, 50)}/${percentile(s, 90)}` }
    console.log(`  report → acked (queue on the execution stream + append), p50/p90 ms: ${Object.entries(queued).filter(([t]) => !['ExecutionStarted', 'TargetRunDispatched', 'StepFinished', 'ExecutionFinished'].includes(t)).map(([t, xs]) => `${t} ${p(xs)}`).join(', ')}`)
    console.log(`  dispatch acked → sink transaction ${p(sinkPickup)} ms; sink transaction → worker reports start ${p(toWorker)} ms`)
    console.log(`  ${describeProfile(await profileExecution(h.platform.pool, execution.id, seconds))}`)
    if (profiler && round === profRound) {
      const { profile } = await profiler.post('Profiler.stop')
      writeFileSync('/tmp/fanout.cpuprofile', JSON.stringify(profile))
      console.log('  CPU profile: /tmp/fanout.cpuprofile')
    }
  }
} finally {
  await h.close()
  await services.stop()
}
process.exit(0)
