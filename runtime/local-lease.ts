// A service we start in a data directory may be shared by several processes at once (two
// `npm test` runs, a test run beside `npm start`). Each user holds a lease; the last one out
// stops the service. A directory lock serialises "start or reuse" against "stop if last".
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { mkdirp, pidAlive, processStartTime, sleep } from './local-util.ts'

interface Owner { pid: number; start: string | undefined }

const me = (): Owner => ({ pid: process.pid, start: processStartTime(process.pid) })

function ownerAlive(o: Owner | undefined): boolean {
  if (!o || !pidAlive(o.pid)) return false
  return o.start === undefined || processStartTime(o.pid) === o.start
}

function readOwner(file: string): Owner | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Owner
  } catch {
    return undefined
  }
}

/** Runs `fn` holding `<dir>/.lock` (a directory; mkdir is atomic). Stale locks of dead processes are broken. */
export async function withDirLock<T>(dir: string, fn: () => Promise<T>, timeoutMs = 180_000): Promise<T> {
  const lock = path.join(mkdirp(dir), '.lock')
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      fs.mkdirSync(lock)
      fs.writeFileSync(path.join(lock, 'owner.json'), JSON.stringify(me()))
      break
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      const owner = readOwner(path.join(lock, 'owner.json'))
      const age = Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now())
      // No owner file yet means the holder is between mkdir and write; give it a second.
      if ((owner && !ownerAlive(owner)) || (!owner && age > 5_000)) {
        // Re-read just before breaking it: another waiter may have broken and re-taken it.
        if (JSON.stringify(readOwner(path.join(lock, 'owner.json'))) === JSON.stringify(owner)) {
          fs.rmSync(lock, { recursive: true, force: true })
        }
        continue
      }
      if (Date.now() > deadline) {
        throw new Error(`timed out after ${timeoutMs} ms waiting for lock ${lock} held by pid ${owner?.pid ?? '?'}`)
      }
      await sleep(100)
    }
  }
  try {
    return await fn()
  } finally {
    fs.rmSync(lock, { recursive: true, force: true })
  }
}

/** Records that this process uses the service in `dir`; returns the lease id. */
export function addLease(dir: string): string {
  const leases = mkdirp(path.join(dir, 'leases'))
  const id = `${process.pid}-${crypto.randomBytes(4).toString('hex')}`
  fs.writeFileSync(path.join(leases, id), JSON.stringify(me()))
  return id
}

/** Drops a lease (and leases of dead processes); returns how many live leases remain. */
export function releaseLease(dir: string, id: string): number {
  const leases = path.join(dir, 'leases')
  fs.rmSync(path.join(leases, id), { force: true })
  let live = 0
  for (const name of fs.existsSync(leases) ? fs.readdirSync(leases) : []) {
    const file = path.join(leases, name)
    if (ownerAlive(readOwner(file))) live++
    else fs.rmSync(file, { force: true })
  }
  return live
}

/**
 * The stop() of a service we own: release our lease, and stop the service when no other live
 * process holds one. Safe to call more than once.
 */
export function leasedStop(dir: string, lease: string, stopService: () => Promise<void>): () => Promise<void> {
  let stopped: Promise<void> | undefined
  return () => {
    stopped ??= withDirLock(dir, async () => {
      if (releaseLease(dir, lease) === 0) await stopService()
    })
    return stopped
  }
}
