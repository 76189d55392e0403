import { Effect } from 'effect'
import { handleCommand } from '../../commands/handler.ts'
import { targets } from '../../domains/targets/index.ts'
import { context, openHarness } from '../../test/harness.ts'
import { runPool } from './stats.ts'
const h = await openHarness({ sink: false })
const reg = () => { const targetId = crypto.randomUUID(); return { type: 'RegisterTarget' as const, targetId, name: `b-${targetId.slice(0, 13)}`, address: '10.0.0.1', connection: 'SSH' as const, tags: ['bench'], at: new Date().toISOString() } }
for (let i = 0; i < 2; i++) {
const r = await runPool(10000, 64, async () => { const x = await h.platform.commands.runPromise(Effect.result(handleCommand(targets, reg(), context({ awaitCommittedMs: 0 })))); if (x._tag==='Failure') throw x.failure })
console.log(Math.round(r.rate), 'p50', r.p50.toFixed(1), 'p99', r.p99.toFixed(1))
}
await h.close(); process.exit(0)
