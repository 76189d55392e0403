// Installing a missing Debian package (nats-server, openssh-server) on a fresh machine.
// Only as root and only where apt-get exists; otherwise the caller gets a clear error.
import { isRoot, runOk, which, type Log } from './local-util.ts'

const APT_ENV = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
// Wait for another apt/dpkg (a parallel run) instead of failing on its lock.
const LOCK_WAIT = ['-o', 'DPkg::Lock::Timeout=180']

let updated: Promise<unknown> | undefined
let queue: Promise<unknown> = Promise.resolve()

/** Serialised within this process; `apt-get update` runs at most once per process. */
export function aptInstall(packages: readonly string[], log: Log): Promise<void> {
  const job = queue.then(async () => {
    if (!isRoot()) throw new Error(`not root, so cannot apt-get install ${packages.join(' ')}; install it yourself`)
    const apt = which('apt-get')
    if (!apt) throw new Error(`apt-get not found, so cannot install ${packages.join(' ')}; install it yourself`)
    updated ??= (async () => {
      log('running: apt-get update')
      const t = Date.now()
      await runOk(apt, ['-q', ...LOCK_WAIT, 'update'], { env: APT_ENV, timeoutMs: 300_000 })
      log(`apt-get update done in ${((Date.now() - t) / 1000).toFixed(1)} s`)
    })()
    try {
      await updated
    } catch (err) {
      updated = undefined // let a later call retry
      throw err
    }
    const args = ['-q', '-y', '--no-install-recommends', ...LOCK_WAIT, 'install', ...packages]
    log(`running: apt-get ${args.join(' ')}`)
    const t = Date.now()
    await runOk(apt, args, { env: APT_ENV, timeoutMs: 600_000 })
    log(`installed ${packages.join(', ')} in ${((Date.now() - t) / 1000).toFixed(1)} s`)
  })
  queue = job.catch(() => undefined)
  return job
}
