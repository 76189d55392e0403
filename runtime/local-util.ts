// Process, file and socket helpers shared by the local-service starters (runtime/local-*.ts).
// Every wait here has a deadline: a missing service must fail with a message, never hang.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'

export type Log = (line: string) => void

export interface RunOptions {
  timeoutMs?: number
  uid?: number
  gid?: number
  env?: NodeJS.ProcessEnv
  input?: string
  cwd?: string
}

export interface RunResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

const KEEP_OUTPUT = 64 * 1024

/** Runs a command to completion, capturing output; never throws for a non-zero exit (see `runOk`). */
export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const timeoutMs = opts.timeoutMs ?? 60_000
  return new Promise((resolve, reject) => {
    // Own process group, so a timeout can kill the command together with its children.
    const child = spawn(cmd, args, {
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      detached: true,
      env: opts.env ?? process.env,
      ...(opts.cwd === undefined ? {} : { cwd: opts.cwd }),
      ...(opts.uid === undefined ? {} : { uid: opts.uid }),
      ...(opts.gid === undefined ? {} : { gid: opts.gid })
    })
    let stdout = ''
    let stderr = ''
    const keep = (s: string) => (s.length > KEEP_OUTPUT ? s.slice(-KEEP_OUTPUT) : s)
    child.stdout?.on('data', (d: Buffer) => (stdout = keep(stdout + d.toString('utf8'))))
    child.stderr?.on('data', (d: Buffer) => (stderr = keep(stderr + d.toString('utf8'))))
    if (opts.input !== undefined) child.stdin?.end(opts.input)
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      killGroup(child.pid, 'SIGKILL')
    }, timeoutMs)
    child.on('error', (err) => {
      clearTimeout(timer)
      reject(new Error(`cannot run ${cmd}: ${err.message}`))
    })
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      // A daemonising command may leave a grandchild holding our pipes; don't wait for it.
      const finish = () => {
        if (timedOut) reject(new Error(`${cmd} ${args.join(' ')} timed out after ${timeoutMs} ms\n${tailText(stderr || stdout)}`))
        else resolve({ code, signal, stdout, stderr })
      }
      let done = false
      const once = () => { if (!done) { done = true; finish() } }
      child.on('close', once)
      setTimeout(once, 300).unref()
    })
  })
}

/** Like `run` but throws (with the command's output) unless it exits 0. */
export async function runOk(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const r = await run(cmd, args, opts)
  if (r.code !== 0) {
    const why = r.signal ? `signal ${r.signal}` : `exit code ${r.code}`
    throw new Error(`${cmd} ${args.join(' ')} failed (${why}):\n${tailText(r.stderr + r.stdout)}`)
  }
  return r
}

export function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return
  try { process.kill(-pid, signal) } catch { try { process.kill(pid, signal) } catch { /* gone */ } }
}

export function tailText(text: string, lines = 25): string {
  return text.trimEnd().split('\n').slice(-lines).map((l) => `  | ${l}`).join('\n')
}

export function tailFile(file: string, lines = 25): string {
  try {
    const fd = fs.openSync(file, 'r')
    try {
      const size = fs.fstatSync(fd).size
      const len = Math.min(size, 16 * 1024)
      const buf = Buffer.alloc(len)
      fs.readSync(fd, buf, 0, len, size - len)
      return tailText(buf.toString('utf8'), lines)
    } finally {
      fs.closeSync(fd)
    }
  } catch {
    return `  | (no log at ${file})`
  }
}

/** Finds an executable on PATH or in the extra directories (sbin is often not on a user's PATH). */
export function which(name: string, extraDirs: readonly string[] = ['/usr/sbin', '/usr/local/sbin', '/sbin']): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), ...extraDirs].filter(Boolean)
  for (const dir of dirs) {
    const file = path.join(dir, name)
    try {
      fs.accessSync(file, fs.constants.X_OK)
      if (fs.statSync(file).isFile()) return file
    } catch { /* keep looking */ }
  }
  return undefined
}

export const isRoot = (): boolean => process.getuid?.() === 0

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms))
}

/** Thrown from a `waitFor` probe to stop waiting at once (e.g. the process died). */
export class GiveUp extends Error {}

/** Polls `probe` until it returns a value (not undefined) or the deadline passes. */
export async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let lastError: unknown
  for (;;) {
    try {
      const v = await probe()
      if (v !== undefined) return v
    } catch (err) {
      if (err instanceof GiveUp) throw err
      lastError = err
    }
    if (Date.now() >= deadline) {
      const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : ''
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`)
    }
    await sleep(intervalMs)
  }
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer()
    srv.once('error', () => resolve(false))
    srv.listen({ host: '127.0.0.1', port, exclusive: true }, () => srv.close(() => resolve(true)))
  })
}

/** The preferred port if free, else one of the next few, else any free port. */
export async function pickPort(preferred: number): Promise<number> {
  for (let p = preferred; p < preferred + 10; p++) if (await canListen(p)) return p
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.once('error', reject)
    srv.listen({ host: '127.0.0.1', port: 0 }, () => {
      const addr = srv.address()
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no free port'))))
    })
  })
}

/** Connects and returns the first line the server sends (NATS `INFO …`, SSH `SSH-2.0-…`). */
export function readGreeting(host: string, port: number, timeoutMs = 2_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host, port })
    let buf = ''
    const done = (err: Error | undefined, line?: string) => {
      clearTimeout(timer)
      sock.destroy()
      if (err) reject(err)
      else resolve(line ?? '')
    }
    const timer = setTimeout(() => done(new Error(`no greeting from ${host}:${port} within ${timeoutMs} ms`)), timeoutMs)
    sock.on('data', (d: Buffer) => {
      buf += d.toString('utf8')
      const nl = buf.indexOf('\n')
      if (nl >= 0) done(undefined, buf.slice(0, nl).replace(/\r$/, ''))
      else if (buf.length > 64 * 1024) done(new Error(`no line break in greeting from ${host}:${port}`))
    })
    sock.on('error', (err) => done(err))
    sock.on('end', () => done(new Error(`${host}:${port} closed the connection before greeting`)))
  })
}

/** Start time of a process (clock ticks since boot), so a recycled pid is not mistaken for ours. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    if (fields[0] === 'Z') return undefined // zombie: as good as gone
    return fields[19]
  } catch {
    return undefined
  }
}

export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false
  if (fs.existsSync('/proc/self/stat')) return processStartTime(pid) !== undefined
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** True when the live process `pid` has every needle in its command line (guards against pid reuse). */
export function pidRuns(pid: number, needles: readonly string[]): boolean {
  if (!pidAlive(pid)) return false
  try {
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')
    return needles.every((n) => cmdline.includes(n))
  } catch {
    return !fs.existsSync('/proc/self/cmdline') // no /proc: trust the pid
  }
}

/** SIGTERM, then SIGKILL if the process is still there after `graceMs`. */
export async function terminate(pid: number, graceMs = 10_000): Promise<void> {
  if (!pidAlive(pid)) return
  try { process.kill(pid, 'SIGTERM') } catch { return }
  const deadline = Date.now() + graceMs
  while (Date.now() < deadline) {
    if (!pidAlive(pid)) return
    await sleep(50)
  }
  try { process.kill(pid, 'SIGKILL') } catch { /* gone */ }
  await sleep(100)
}

export function readIntFile(file: string): number | undefined {
  try {
    const n = Number.parseInt(fs.readFileSync(file, 'utf8').trim(), 10)
    return Number.isFinite(n) ? n : undefined
  } catch {
    return undefined
  }
}

export function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T
  } catch {
    return undefined
  }
}

export function mkdirp(dir: string, mode = 0o755): string {
  const abs = path.resolve(dir)
  fs.mkdirSync(abs, { recursive: true, mode })
  return abs
}

export function userIds(name: string): { uid: number; gid: number } | undefined {
  try {
    const line = fs.readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${name}:`))
    if (!line) return undefined
    const [, , uid, gid] = line.split(':')
    return { uid: Number(uid), gid: Number(gid) }
  } catch {
    return undefined
  }
}

export function homeOf(name: string): string | undefined {
  const line = fs.readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${name}:`))
  return line?.split(':')[5]
}
