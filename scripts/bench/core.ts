import { Effect } from 'effect'
import { measurePublishRate } from '../../bus/index.ts'
import { handleCommand } from '../../commands/handler.ts'
import { targets, type TargetCommand } from '../../domains/targets/index.ts'
import { inlineProjections } from '../../projections/all.ts'
import { createPool } from '../../projections/db.ts'
import { migrate } from '../../projections/migrate.ts'
import { rebuildProjections } from '../../projections/rebuild.ts'
import { insertSyntheticTargetEvents } from '../../projections/synthetic-events.ts'
import { context, openHarness } from '../../test/harness.ts'
import { freshDatabase } from '../../test/support.ts'
import { spawnRole } from '../../test/processes.ts'
import os from 'node:os'
import { round, runPool } from './stats.ts'
import { describeSplit, settle, startCpuAccount, totalMicros, type CpuSplit, type Part } from './cpu.ts'
import type { Row } from './types.ts'

/** A RegisterTarget for a new target with a unique name: the command every command-path figure uses. */
export const register = (): TargetCommand => {
  const targetId = crypto.randomUUID()
  return { type: 'RegisterTarget', targetId, name: `b-${targetId.slice(0, 13)}`, address: '10.0.0.1', connection: 'SSH', tags: ['bench'], at: new Date().toISOString() }
}

const PARTS: ReadonlyArray<Part> = ['command process', 'sink process', 'PostgreSQL', 'NATS']

/**
 * Where a command's CPU goes, beside what a bare publish costs: with every process on the same
 * cores, cores ÷ (CPU per command) is the most this machine can do, however the work overlaps.
 */
const cpuRows = (rows: Row[], split: CpuSplit, commands: number, rawSplit: typeof split, rawMessages: number, raw256: number) => {
  const cores = os.cpus().length
  const perCommand = totalMicros(split, commands, PARTS)
  const perMessage = totalMicros(rawSplit, rawMessages, ['command process', 'NATS'])
  const withoutHandler = totalMicros(split, commands, ['sink process', 'PostgreSQL', 'NATS'])
  rows.push(
    { group: 'cpu budget', name: 'raw JetStream publish: CPU per message (publisher + NATS)', value: round(perMessage), unit: 'µs', note: describeSplit(rawSplit, rawMessages, ['command process', 'NATS']).replace('command process', 'publisher') },
    { group: 'cpu budget', name: 'RegisterTarget → visible, 64 callers: CPU per command (all processes)', value: round(perCommand), unit: 'µs', anchor: 'raw publish', anchorValue: round(perMessage), ratio: round(perCommand / perMessage, 1), note: describeSplit(split, commands, PARTS) },
    {
      group: 'cpu budget', name: `ceiling on ${cores} cores at that CPU per command`, value: round((cores * 1e6) / perCommand), unit: 'commands/s', anchor: '0.60 of raw 256 in flight', anchorValue: round(0.6 * raw256), ratio: round((cores * 1e6) / perCommand / (0.6 * raw256), 2),
      note: `even with a command process that cost nothing: ${round((cores * 1e6) / withoutHandler).toLocaleString('en')}/s (sink + PostgreSQL + NATS alone)`
    }
  )
}

/** (a) the physical limit, (b) handler throughput to visible-in-projection, (c) read-your-write latency, (d) rebuild rate. */
export const benchCore = async (options: { quick: boolean }): Promise<{ rows: Row[]; raw256: number }> => {
  // As `npm start` runs it: the sink in its own process, the command path in this one.
  const h = await openHarness({ sink: false })
  const sink = spawnRole(h, 'projections/main.ts')
  const rows: Row[] = []
  const scale = options.quick ? 0.25 : 1
  try {
    const probe = `${h.namespace.toUpperCase()}_PROBE`
    const seq = await measurePublishRate(h.platform.nc, { stream: probe, messages: Math.round(5_000 * scale), inFlight: 1, withMsgId: false })
    const rawMessages = Math.round(40_000 * scale)
    const rawCpu = startCpuAccount({ sinkPid: sink.pid })
    const raw256 = await measurePublishRate(h.platform.nc, { stream: probe, messages: rawMessages, inFlight: 256, withMsgId: true })
    const rawSplit = rawCpu()
    rows.push({ group: 'physical limit', name: 'JetStream publish+ack 1 KiB, sequential', value: round(seq), unit: 'msg/s' })
    rows.push({ group: 'physical limit', name: 'JetStream publish+ack 1 KiB, 256 in flight, with msgID', value: round(raw256), unit: 'msg/s' })

    const command = (awaitMs: number) => async () => {
      const r = await h.platform.commands.runPromise(Effect.result(handleCommand(targets, register(), context({ awaitCommittedMs: awaitMs }))))
      if (r._tag === 'Failure' || !r.success.durable) throw new Error('command failed or not durable')
    }
    // The sink process needs a moment to start: wait until a command comes back durable.
    for (let ready = false; !ready; ) {
      const r = await h.platform.commands.runPromise(Effect.result(handleCommand(targets, register(), context({ awaitCommittedMs: 10_000 }))))
      ready = r._tag === 'Success' && r.success.durable
    }
    for (const [callers, total] of [[1, 1_000], [64, 20_000]] as const) {
      await runPool(200, callers, command(2_000)) // warm-up
      const cpu = startCpuAccount({ sinkPid: sink.pid })
      const r = await runPool(Math.round(total * scale), callers, command(2_000))
      if (callers === 64) cpuRows(rows, cpu(), Math.round(total * scale), rawSplit, rawMessages, raw256)
      rows.push({
        group: 'command path', name: `RegisterTarget → visible in projection, ${callers} caller${callers > 1 ? 's' : ''}`, value: round(r.rate), unit: 'commands/s',
        anchor: 'JetStream 256 in flight', anchorValue: round(raw256), ratio: round(r.rate / raw256, 2), goal: callers === 64 ? '≥ 0.60 of raw, ≥ peer' : undefined
      })
      rows.push({ group: 'command path', name: `latency p50 / p99, ${callers} caller${callers > 1 ? 's' : ''}`, value: round(r.p99, 1), unit: 'ms p99', note: `p50 ${round(r.p50, 1)} ms` })
    }
    const ryw = await runPool(Math.round(4_000 * scale), 8, command(2_000))
    rows.push({ group: 'command path', name: 'read-your-write latency at moderate load (8 callers)', value: round(ryw.p99, 1), unit: 'ms p99', note: `p50 ${round(ryw.p50, 1)} ms at ${round(ryw.rate)} commands/s`, goal: 'p99 < 25 ms' })
  } finally {
    sink.kill('SIGTERM')
    await new Promise((resolve) => sink.once('exit', resolve))
    await h.close()
  }
  await settle()
  const db = await freshDatabase('rebuild')
  const pool = createPool(db.url, 4, 'bench-rebuild')
  try {
    await migrate(pool)
    const events = options.quick ? 20_000 : 100_000
    await insertSyntheticTargetEvents(pool, events)
    await rebuildProjections(pool, inlineProjections, { swap: true })
    const report = await rebuildProjections(pool, inlineProjections, { swap: true })
    rows.push({ group: 'projections', name: `rebuild of ${events.toLocaleString('en')} events`, value: round(report.events / report.seconds), unit: 'events/s', goal: '≥ 30,000 events/s' })
  } finally {
    await pool.end()
    await db.drop()
  }
  return { rows, raw256: rows[1]!.value }
}
