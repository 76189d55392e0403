/**
 * A throw-away platform with the built UI, for looking at the app by hand:
 * `npx tsx ui/e2e/serve.ts [--targets 10000] [--port 4100]`. Starts the test services when needed
 * (like `npm test`), prints the URL and the admin login, and runs until Ctrl-C.
 */
import { ensureTestServices } from '../../runtime/local-test-services.ts'
import { ADMIN, startUiPlatform } from './platform.ts'
import { seedTargets } from './seed.ts'

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`)
  return i === -1 ? undefined : process.argv[i + 1]
}

const services = await ensureTestServices({ log: (line) => console.log(`[services] ${line}`) })
Object.assign(process.env, services.env)
const platform = await startUiPlatform()
const token = await platform.login(ADMIN.username, ADMIN.password)
const targets = Number(arg('targets') ?? 0)
if (targets > 0) {
  const started = Date.now()
  await seedTargets(platform, token, targets)
  console.log(`seeded ${targets} targets in ${((Date.now() - started) / 1000).toFixed(1)} s`)
}
console.log(`OpsConductor UI: ${platform.url}  (sign in as ${ADMIN.username} / ${ADMIN.password})`)
const stop = async () => {
  await platform.close().catch(() => undefined)
  await services.stop().catch(() => undefined)
  process.exit(0)
}
process.on('SIGINT', () => void stop())
process.on('SIGTERM', () => void stop())
