/**
 * `npm run bench [-- --quick]`: measures OpsConductor beside the physical limits of this machine
 * and beside real peers, in one run, prints the table and writes docs/BENCHMARKS.md.
 */
import os from 'node:os'
import { ensureTestServices } from '../../runtime/local-test-services.ts'
import { benchCore } from './core.ts'
import { benchEmmett } from './emmett.ts'
import { benchFanout } from './fanout.ts'
import { benchGraphql } from './graphql.ts'
import { benchUi } from './ui.ts'
import { benchSubscriptions } from './subscriptions.ts'
import { renderTable, writeReport } from './report.ts'
import type { Row } from './types.ts'
import { settle } from './cpu.ts'

const quick = process.argv.includes('--quick')
const log = (line: string) => console.log(`[bench] ${line}`)

const main = async () => {
  const loadBefore = os.loadavg()[0]!
  const services = await ensureTestServices({ log })
  Object.assign(process.env, services.env)
  const rows: Row[] = []
  const notes: string[] = []
  try {
    log('core: JetStream limit, command path, read-your-writes, rebuild')
    const core = await benchCore({ quick })
    rows.push(...core.rows)
    await settle()
    log('peer: emmett-postgresql')
    const peer = await benchEmmett({ adminUrl: services.env.OPS_TEST_PG_ADMIN_URL!, concurrency: [1, 64], commands: quick ? 500 : 2_000 })
    rows.push(...peer)
    const ours64 = core.rows.find((r) => r.name.startsWith('RegisterTarget → visible in projection, 64'))
    const theirs64 = peer.find((r) => r.unit === 'commands/s' && r.name.endsWith('64 callers'))
    if (ours64 && theirs64) {
      rows.push({ group: 'event store', name: 'OpsConductor ÷ emmett-postgresql, 64 callers', value: Number((ours64.value / theirs64.value).toFixed(2)), unit: '×', goal: '≥ 1' })
    }
    await settle()
    log('api: GraphQL mutations over HTTP, target filters')
    rows.push(...(await benchGraphql({ quick })))
    await settle()
    log('subscriptions: command → subscriber delivery')
    rows.push(...(await benchSubscriptions({ quick })))
    await settle()
    log('fan-out: runs on 200 targets against bare ssh2, parallel-ssh and Ansible')
    rows.push(...(await benchFanout({ quick })))
    await settle()
    log('ui: first paint, interactivity, scrolling and memory in Chromium')
    rows.push(...(await benchUi({ quick })))
    notes.push(
      'Command path: RegisterTarget through the real command handler (load → decide → JetStream publish with msgID and expected subject sequence), then waiting until the sink has committed it to PostgreSQL (events table + inline projection): each call returns only once its change is durable and visible.',
      'The peer does the same with emmett-postgresql: read stream, decide, appendToStream with the expected version and an inline projection in the same transaction.',
      'The command path runs as `npm start` runs it: the sink in its own process; sink, command handler, NATS and PostgreSQL share the same 2 cores.',
      'Each part starts once the machine is nearly idle again (at most 15 s of waiting), so it does not measure the previous part winding down.',
      'CPU budget: the CPU time each process used during the measured phase (utime + stime from /proc), divided by the commands it served. With every process on the same cores, cores ÷ that sum is the most the machine can do however the work overlaps; the row after it shows the ceiling even a free command handler would leave.',
      'GraphQL: the HTTP clients run in a process of their own, as real clients would; the filter queries run once the sink has brought the planner statistics up to date after the 10,000 registrations (projections/statistics.ts), as it does within seconds in a running system.',
      'Fan-out: every target is an alias of one loopback sshd (each a separate host to every tool), same parallelism (50) for every tool; the sshd handshakes share the 2 cores with everything else, which bounds everyone.'
    )
  } finally {
    await services.stop()
  }
  console.log(renderTable(rows))
  await writeReport(rows, notes, loadBefore)
  log('wrote docs/BENCHMARKS.md')
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error)
    process.exit(1)
  }
)
