import { Effect } from 'effect'
import { handleCommand } from '../../commands/handler.ts'
import { targets } from '../../domains/targets/index.ts'
import { context, openHarness } from '../../test/harness.ts'
import { runPool } from './stats.ts'
import { runSink } from '../../projections/sink.ts'
import { inlineProjections } from '../../projections/all.ts'
const h = await openHarness({ sink: false })
const reg = () => { const targetId = crypto.randomUUID(); return { type: 'RegisterTarget' as const, targetId, name: `b-${targetId.slice(0, 13)}`, address: '10.0.0.1', connection: 'SSH' as const, tags: ['bench'], at: new Date().toISOString() } }
await runPool(10000, 64, async () => { const x = await h.platform.commands.runPromise(Effect.result(handleCommand(targets, reg(), context({ awaitCommittedMs: 0 })))); if (x._tag==='Failure') throw x.failure })
const last = await h.platform.eventLog.lastSequence()
// pure bus read rate
let t0 = performance.now(); const c = new AbortController(); let n = 0
for await (const m of h.platform.eventLog.follow(1, c.signal)) { n++; if (m.seq >= last) break }
c.abort(); console.log('follow read', n, Math.round(n / ((performance.now() - t0) / 1000)), '/s')
t0 = performance.now()
const sizes: number[] = []
const ctl = new AbortController()
void runSink({ databaseUrl: h.databaseUrl, eventLog: h.platform.eventLog, projections: inlineProjections, log: () => {}, signal: ctl.signal, onCommitted: (_p, ev) => sizes.push(ev.length) })
await h.platform.committed.waitFor(last, 120000)
console.log('sink drain', last, Math.round(last / ((performance.now() - t0) / 1000)), '/s; batches', sizes.length, 'avg', Math.round(last / sizes.length))
ctl.abort()
await h.close(); process.exit(0)
