// Vitest global setup. `npm test` (scripts/test.ts) starts the services and sets the
// environment before vitest runs; this covers a bare `npx vitest run`, starting them here.
import { ensureTestServices, TEST_ENV_KEYS } from '../runtime/local-test-services.ts'

export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  if (process.env.OPS_TEST_SERVICES_READY === '1' || TEST_ENV_KEYS.every((k) => process.env[k])) return undefined
  const services = await ensureTestServices({ log: (line) => console.log(`[test-services] ${line}`) })
  // Test workers are forked after global setup and inherit this environment.
  Object.assign(process.env, services.env, { OPS_TEST_SERVICES_READY: '1' })
  return () => services.stop()
}
