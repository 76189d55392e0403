/** `npx tsx scripts/bench/run-one.ts <module> [--quick]`: one bench module alone, with the test services. */
import { ensureTestServices } from '../../runtime/local-test-services.ts'

const which = process.argv[2] ?? ''
const quick = process.argv.includes('--quick')
const services = await ensureTestServices({ log: (l) => console.log(`[bench] ${l}`) })
Object.assign(process.env, services.env)
try {
  const modules: Record<string, () => Promise<unknown>> = {
    core: async () => (await import('./core.ts')).benchCore({ quick }).then((r) => r.rows),
    graphql: async () => (await import('./graphql.ts')).benchGraphql({ quick }),
    subscriptions: async () => (await import('./subscriptions.ts')).benchSubscriptions({ quick })
  }
  const run = modules[which]
  if (!run) throw new Error(`unknown bench module ${which}; one of ${Object.keys(modules).join(', ')}`)
  console.table(await run())
} finally {
  await services.stop()
}
process.exit(0)
