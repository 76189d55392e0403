// `npm test`: make sure NATS (JetStream), PostgreSQL and a loopback sshd run, hand their
// coordinates to vitest through the environment, run it, and stop only what we started.
// Extra arguments go to `vitest run` (e.g. `npm test -- domains`).
// OPS_TEST_FORCE_LOCAL=1 ignores the machine's services and starts private ones.
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { ensureTestServices, type TestServices } from '../runtime/local-test-services.ts'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const log = (line: string) => console.log(`[test-services] ${line}`)

const STOP_TIMEOUT_MS = 60_000
const KILL_VITEST_AFTER_MS = 20_000

async function stopServices(services: TestServices): Promise<void> {
  const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), STOP_TIMEOUT_MS).unref())
  if ((await Promise.race([services.stop().then(() => 'ok' as const), timeout])) === 'timeout') {
    log(`stopping services took over ${STOP_TIMEOUT_MS / 1000} s; giving up`)
  }
}

function runVitest(env: Record<string, string>): Promise<number> {
  const pkg = createRequire(import.meta.url).resolve('vitest/package.json')
  const bin = path.join(path.dirname(pkg), 'vitest.mjs')
  const child = spawn(process.execPath, [bin, 'run', ...process.argv.slice(2)], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ...env, OPS_TEST_SERVICES_READY: '1' }
  })
  // Ctrl-C reaches vitest through the terminal too; forwarding covers `kill` of this process.
  // Vitest gets a while to finish its teardown, then is killed so we can stop the services.
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      child.kill(sig)
      setTimeout(() => child.kill('SIGKILL'), KILL_VITEST_AFTER_MS).unref()
    })
  }
  return new Promise((resolve) => {
    child.on('error', (err) => {
      console.error(`cannot run vitest: ${err.message}`)
      resolve(1)
    })
    child.on('exit', (code, signal) => resolve(code ?? 128 + (signal ? os.constants.signals[signal] : 0)))
  })
}

async function main(): Promise<number> {
  // Interrupted while services start: finish starting, then stop them rather than leak them.
  let interrupted: NodeJS.Signals | undefined
  const onSignal = (sig: NodeJS.Signals) => (interrupted = sig)
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(sig, onSignal)
  let services: TestServices
  try {
    services = await ensureTestServices({ log })
  } catch (err) {
    console.error((err as Error).message)
    return 1
  } finally {
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(sig, onSignal)
  }
  if (interrupted) {
    await stopServices(services)
    return 128 + os.constants.signals[interrupted]
  }
  try {
    return await runVitest(services.env)
  } finally {
    await stopServices(services)
  }
}

process.exit(await main())
