/** Profiling aid: `npx tsx scripts/bench/core-load.ts [callers] [seconds]` — the 64-caller command path, for a while. */
import { Effect } from 'effect'
import { ensureTestServices } from '../../runtime/local-test-services.ts'
const callers = Number(process.argv[2] ?? 64)
const seconds = Number(process.argv[3] ?? 15)
const services = await ensureTestServices({ log: () => {} })
Object.assign(process.env, services.env)
const { handleCommand } = await import('../../commands/handler.ts')
const { targets } = await import('../../domains/targets/index.ts')
const { context, openHarness } = await import('../../test/harness.ts')
const { spawnRole } = await import('../../test/processes.ts')
const { runPool } = await import('./stats.ts')
const { register } = await import('./core.ts')
const h = await openHarness({ sink: false })
// SINK_PROF=<dir>: a CPU profile of the sink process too, written when it stops.
const sink = spawnRole(h, 'projections/main.ts', {}, process.env.SINK_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.SINK_PROF}`] : [])
const command = async () => {
  const r = await h.platform.commands.runPromise(Effect.result(handleCommand(targets, register(), context({ awaitCommittedMs: 2000 }))))
  if (r._tag === 'Failure' || !(r.success as { durable: boolean }).durable) throw new Error('command failed or not durable')
}
for (let ready = false; !ready; ) {
  try { await command(); ready = true } catch { await new Promise((r) => setTimeout(r, 100)) }
}
await runPool(500, callers, command)
const started = Date.now()
let total = 0
while (Date.now() - started < seconds * 1000) {
  const cpu = process.cpuUsage()
  const r = await runPool(2000, callers, command)
  const used = process.cpuUsage(cpu)
  total += 2000
  console.log(`rate ${Math.round(r.rate)}/s p50 ${r.p50.toFixed(1)} p99 ${r.p99.toFixed(1)}; this process ${Math.round((used.user + used.system) / 2000)} µs CPU per command`)
}
sink.kill('SIGTERM')
await new Promise((r) => sink.once('exit', r))
await h.close()
await services.stop()
process.exit(0)
