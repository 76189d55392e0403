/** `npx tsx scripts/bench/fanout-main.ts [--quick]`: the fan-out benchmark alone (main.ts runs it with the rest). */
import { ensureTestServices } from '../../runtime/local-test-services.ts'
import { benchFanout } from './fanout.ts'
import { renderTable } from './report.ts'

const log = (line: string) => console.log(`[bench] ${line}`)
const services = await ensureTestServices({ log })
Object.assign(process.env, services.env)
try {
  console.log(renderTable(await benchFanout({ quick: process.argv.includes('--quick') })))
} finally {
  await services.stop()
}
process.exit(0)
