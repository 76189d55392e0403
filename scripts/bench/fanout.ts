/**
 * Fan-out: one job on N targets (aliases of the loopback sshd) at parallelism 50, from runJob to
 * SUCCEEDED with every target's output stored — beside bare ssh2, parallel-ssh and Ansible run
 * against the same sshd in the same run. Also the warm second run (pooled connections) and the
 * latency of live output. Needs the test services (OPS_TEST_* from ensureTestServices).
 */
import { readFileSync } from 'node:fs'
import { Effect } from 'effect'
import { followOutput } from '../../bus/index.ts'
import { createCredential } from '../../commands/credentials.ts'
import { runJob } from '../../commands/executions.ts'
import { handleCommand } from '../../commands/handler.ts'
import { idFromCommand } from '../../commands/ids.ts'
import { defineJob } from '../../commands/jobs.ts'
import { registerTarget } from '../../commands/targets.ts'
import { targets as targetAggregate } from '../../domains/targets/index.ts'
import type { CommandServices } from '../../runtime/platform.ts'
import { context, openHarness, type Harness } from '../../test/harness.ts'
import { sshFacts } from '../../test/support.ts'
import { remotePlan } from '../../workers/executors/ssh-commands.ts'
import { ansibleFanout, bareSsh2Fresh, bareSsh2Warm, ensurePeerTools, inParallel, psshFanout, type LoopbackSsh, type PeerTiming } from './fanout-peers.ts'
import { describeProfile, profileExecution } from './fanout-profile.ts'
import { percentile, round } from './stats.ts'
import type { Row } from './types.ts'

const PARALLELISM = 50
const GROUP = 'fan-out'
const log = (line: string) => console.log(`[bench] fan-out: ${line}`)

interface Fleet {
  readonly h: Harness
  readonly run: <A, E>(effect: Effect.Effect<A, E, CommandServices>) => Promise<A>
}

/** N SSH targets on the loopback sshd, host key pinned up front as an operator would import it. */
const registerAliases = async (f: Fleet, prefix: string, n: number, credentialId: string, hostKey: string): Promise<string[]> => {
  const ssh = sshFacts()
  const ids: string[] = new Array(n)
  await inParallel(Array.from({ length: n }, (_, i) => i), 16, async (i) => {
    const t = await f.run(registerTarget({ name: `${prefix}-${i}`, address: ssh.host, port: ssh.port, connection: 'SSH', credentialId, tags: [prefix] }, context()))
    await f.run(handleCommand(targetAggregate, { type: 'PinHostKey', targetId: t.id, hostKey, at: new Date().toISOString() }, context()))
    ids[i] = t.id
  })
  return ids
}

/** runJob → SUCCEEDED, and (with `withOutput`) an output row stored for every target. */
const timeExecution = async (f: Fleet, jobId: string, targetIds: ReadonlyArray<string>, withOutput: boolean) => {
  const started = performance.now()
  const execution = await f.run(runJob({ jobId, targetIds, options: { parallelism: PARALLELISM } }, context()))
  for (;;) {
    const { rows } = await f.h.platform.pool.query<{ status: string; outputs: number }>(
      `SELECT e.status, (SELECT count(DISTINCT o.target_id) FROM execution_output o WHERE o.execution_id = e.id)::int AS outputs
       FROM executions e WHERE e.id = $1`,
      [execution.id]
    )
    const row = rows[0]
    if (row && ['FAILED', 'CANCELLED'].includes(row.status)) throw new Error(`fan-out execution ended ${row.status}`)
    if (row?.status === 'SUCCEEDED' && (!withOutput || row.outputs === targetIds.length)) break
    if (performance.now() - started > 600_000) throw new Error(`fan-out execution still ${row?.status} after 10 minutes`)
    await new Promise((r) => setTimeout(r, 10))
  }
  const seconds = (performance.now() - started) / 1000
  const profile = await profileExecution(f.h.platform.pool, execution.id, seconds)
  return { seconds, profile }
}

/** (e) A line with a timestamp every 100 ms for ~5 s; a follower measures arrival − timestamp. */
const liveLatency = async (f: Fleet, targetId: string, jobId: string): Promise<number[]> => {
  const commandId = crypto.randomUUID()
  const executionId = idFromCommand(commandId, 'execution')
  const stop = new AbortController()
  const latencies: number[] = []
  const following = (async () => {
    let carry = ''
    for await (const chunk of followOutput(f.h.platform.nc, f.h.platform.eventLog.names, { executionId, targetId, fromPosition: 1 }, stop.signal)) {
      const received = Date.now()
      const lines = (carry + Buffer.from(chunk.data).toString()).split('\n')
      carry = lines.pop() ?? ''
      for (const line of lines) {
        const stamp = Number(line.split(' ')[0])
        if (Number.isFinite(stamp) && stamp > 0) latencies.push(received - stamp)
      }
      if (lines.some((line) => line.endsWith(' line 50'))) break
    }
  })()
  await new Promise((r) => setTimeout(r, 300)) // the follower's consumer exists before the first line
  const timeout = setTimeout(() => stop.abort(), 60_000)
  await f.run(runJob({ jobId, targetIds: [targetId] }, context({ commandId })))
  await following
  clearTimeout(timeout)
  stop.abort()
  return latencies.sort((a, b) => a - b)
}

const rate = (targets: number, t: PeerTiming | { seconds: number }) => round(targets / t.seconds, 1)

export async function benchFanout(opts: { quick: boolean }): Promise<Row[]> {
  const n = opts.quick ? 50 : 200
  const facts = sshFacts()
  const ssh: LoopbackSsh = { host: facts.host, port: facts.port, user: facts.user, keyPath: facts.keyPath, hostKey: `ssh-ed25519 ${facts.hostKeyFingerprint}` }
  const tools = await ensurePeerTools(log)
  const rows: Row[] = []
  const h = await openHarness()
  const f: Fleet = { h, run: (effect) => h.platform.commands.runPromise(effect) }
  try {
    await h.startExecution(1, 64)
    const credential = await f.run(createCredential({ name: 'fanout-key', kind: 'SSH_KEY', username: ssh.user, privateKey: readFileSync(ssh.keyPath, 'utf8') }, context()))
    log(`registering ${2 * n + 1} targets`)
    const unameSet = await registerAliases(f, 'fan-uname', n, credential.id, ssh.hostKey)
    const trueSet = await registerAliases(f, 'fan-true', n, credential.id, ssh.hostKey)
    const [single] = await registerAliases(f, 'fan-live', 1, credential.id, ssh.hostKey)
    const uname = await f.run(defineJob({ name: 'fan-uname', steps: [{ kind: 'COMMAND', command: 'uname -a' }] }, context()))
    const truth = await f.run(defineJob({ name: 'fan-true', steps: [{ kind: 'COMMAND', command: 'true' }] }, context()))
    const ticker = await f.run(
      defineJob({ name: 'fan-ticker', steps: [{ kind: 'COMMAND', command: 'for i in $(seq 1 50); do echo "$(date +%s%3N) line $i"; sleep 0.1; done' }] }, context())
    )
    await timeExecution(f, uname.id, [single!], true) // warm-up of every code path

    log('(a) bare ssh2, fresh connection per target')
    const bare = await bareSsh2Fresh(ssh, n, PARALLELISM, 'uname -a')
    log(`    ${bare.seconds.toFixed(2)} s, ${bare.ok}/${n} ok`)
    log('OpsConductor: uname -a, cold (no pooled connection)')
    const cold = await timeExecution(f, uname.id, unameSet, true)
    log(`    ${cold.seconds.toFixed(2)} s; ${describeProfile(cold.profile)}`)
    log('OpsConductor: uname -a again, warm')
    const warm = await timeExecution(f, uname.id, unameSet, true)
    log(`    ${warm.seconds.toFixed(2)} s; ${describeProfile(warm.profile)}`)
    const coldTrue = await timeExecution(f, truth.id, trueSet, false)
    log(`OpsConductor: true, cold ${coldTrue.seconds.toFixed(2)} s; ${describeProfile(coldTrue.profile)}`)
    const warmTrue = await timeExecution(f, truth.id, trueSet, false)
    log(`OpsConductor: true, warm ${warmTrue.seconds.toFixed(2)} s; ${describeProfile(warmTrue.profile)}`)

    log('anchor: commands/s over 50 open ssh2 connections (true; and the worker\'s wrapped true)')
    const commands = Math.max(200, 2 * n)
    const rawTrue = await bareSsh2Warm(ssh, PARALLELISM, commands, 'true')
    const wrapped = remotePlan({ index: 0, kind: 'COMMAND', command: 'true', timeoutSeconds: null }).command
    const rawWrapped = await bareSsh2Warm(ssh, PARALLELISM, commands, wrapped)
    log(`    true ${rate(commands, rawTrue)}/s, wrapped ${rate(commands, rawWrapped)}/s`)

    let pssh: PeerTiming | null = null
    let ansible: PeerTiming | null = null
    if (tools.pssh) {
      log('(b) parallel-ssh -p 50')
      pssh = await psshFanout(ssh, n, PARALLELISM, 'uname -a').catch((e: unknown) => (log(`    failed: ${String(e)}`), null))
      if (pssh) log(`    ${pssh.seconds.toFixed(2)} s, ${pssh.ok}/${n} ok`)
    }
    if (tools.ansible) {
      log('(c) ansible -m command -f 50')
      ansible = await ansibleFanout(ssh, n, PARALLELISM, 'uname -a').catch((e: unknown) => (log(`    failed: ${String(e)}`), null))
      if (ansible) log(`    ${ansible.seconds.toFixed(2)} s, ${ansible.ok}/${n} ok`)
    }

    log('(e) live output latency')
    const latencies = await liveLatency(f, single!, ticker.id)
    log(`    ${latencies.length} lines, p50 ${percentile(latencies, 50)} ms, p99 ${percentile(latencies, 99)} ms`)

    const ours = rate(n, cold)
    const peerRow = (name: string, t: PeerTiming | null): Row =>
      t
        ? { group: GROUP, name, value: rate(n, t), unit: 'targets/s', note: `${round(t.seconds, 2)} s, ${t.ok}/${n} ok` }
        : { group: GROUP, name, value: NaN, unit: 'targets/s', note: 'not measured (tool unavailable or failed)' }
    rows.push(
      { group: GROUP, name: `physical limit: bare ssh2, fresh connection + uname -a + close, ${n} targets, 50 at a time`, value: rate(n, bare), unit: 'targets/s', note: `${round(bare.seconds, 2)} s` },
      peerRow(`peer: parallel-ssh -p 50, uname -a, ${n} hosts`, pssh),
      peerRow(`peer: ansible -m command -f 50, uname -a, ${n} hosts`, ansible),
      {
        group: GROUP, name: `OpsConductor: uname -a on ${n} targets, cold, runJob → SUCCEEDED + all output stored`, value: ours, unit: 'targets/s',
        anchor: 'bare ssh2', anchorValue: rate(n, bare), ratio: round(ours / rate(n, bare), 2), goal: '≥ 0.8', note: `${round(cold.seconds, 2)} s; ${describeProfile(cold.profile)}`
      },
      ...(pssh ? [{ group: GROUP, name: 'OpsConductor ÷ parallel-ssh', value: round(ours / rate(n, pssh), 2), unit: '×', goal: '≥ 1.5' }] : []),
      ...(ansible ? [{ group: GROUP, name: 'OpsConductor ÷ Ansible ad-hoc', value: round(ours / rate(n, ansible), 2), unit: '×', goal: '≥ 7' }] : []),
      { group: GROUP, name: `OpsConductor: true on ${n} targets, cold`, value: rate(n, coldTrue), unit: 'targets/s', note: `${round(coldTrue.seconds, 2)} s` },
      {
        group: GROUP, name: `OpsConductor: uname -a again on the same ${n} targets, warm (pooled connections)`, value: rate(n, warm), unit: 'commands/s',
        anchor: 'bare ssh2 true on 50 open connections', anchorValue: rate(commands, rawTrue), ratio: round(rate(n, warm) / rate(commands, rawTrue), 2),
        note: `${round(warm.seconds, 2)} s; the worker's wrapped command alone: ${rate(commands, rawWrapped)}/s; ${describeProfile(warm.profile)}`
      },
      { group: GROUP, name: `OpsConductor: true again on the same ${n} targets, warm`, value: rate(n, warmTrue), unit: 'commands/s', note: `${round(warmTrue.seconds, 2)} s; ${describeProfile(warmTrue.profile)}` },
      {
        group: GROUP, name: 'live output: line printed → received by a follower, 1 line / 100 ms', value: percentile(latencies, 99), unit: 'ms p99',
        goal: 'p99 < 100 ms', note: `p50 ${percentile(latencies, 50)} ms over ${latencies.length} lines`
      }
    )
  } finally {
    await h.close()
  }
  return rows
}
