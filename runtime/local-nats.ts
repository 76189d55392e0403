// NATS with JetStream for `npm start` and tests: reuse a running one, else start `nats-server -js`
// (installing Debian's package when missing and we are root).
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { aptInstall } from './local-apt.ts'
import { addLease, leasedStop, withDirLock } from './local-lease.ts'
import {
  GiveUp, mkdirp, pickPort, pidRuns, readGreeting, readJson, tailFile, terminate, waitFor, which, type Log
} from './local-util.ts'

export interface NatsHandle {
  url: string
  /** True when this call started the server; stop() then stops it (when no other user holds it). */
  started: boolean
  stop(): Promise<void>
}

export interface EnsureNatsOptions {
  /** Use this server as is (e.g. from NATS_URL). */
  url?: string
  /** Where a server we start keeps JetStream data, its pid and log. */
  dataDir: string
  log: Log
  /** Look at nats://127.0.0.1:4222 first (default true). */
  reuseDefault?: boolean
  /** Port for a server we start, if free (default 4222). */
  preferPort?: number
}

interface NatsInfo { version?: string; jetstream?: boolean }
interface NatsState { pid: number; port: number }

const DEFAULT_URL = 'nats://127.0.0.1:4222'
const noop = async (): Promise<void> => {}

/** The INFO a NATS server sends on connect, or undefined when nothing NATS-like answers. */
export async function probeNats(host: string, port: number, timeoutMs = 2_000): Promise<NatsInfo | undefined> {
  try {
    const line = await readGreeting(host, port, timeoutMs)
    if (!line.startsWith('INFO')) return undefined
    try {
      return JSON.parse(line.slice(4).trim()) as NatsInfo
    } catch {
      return {}
    }
  } catch {
    return undefined
  }
}

export async function ensureNats(opts: EnsureNatsOptions): Promise<NatsHandle> {
  const { log } = opts
  if (opts.url) {
    log(`using NATS at ${opts.url} (given)`)
    return { url: opts.url, started: false, stop: noop }
  }
  const dataDir = mkdirp(opts.dataDir)
  return withDirLock(dataDir, async () => {
    const stateFile = path.join(dataDir, 'nats.state.json')
    const stopOurs = (pid: number) => async () => {
      await terminate(pid)
      fs.rmSync(stateFile, { force: true })
      log(`stopped nats-server (pid ${pid})`)
    }
    const prev = readJson<NatsState>(stateFile)
    if (prev && pidRuns(prev.pid, ['nats-server', dataDir]) && (await probeNats('127.0.0.1', prev.port))) {
      const url = `nats://127.0.0.1:${prev.port}`
      log(`reusing our nats-server on ${url} (pid ${prev.pid}, data ${opts.dataDir})`)
      return { url, started: false, stop: leasedStop(dataDir, addLease(dataDir), stopOurs(prev.pid)) }
    }
    // Checked after our own: on a fresh machine the server on 4222 may be one we started.
    if (opts.reuseDefault ?? true) {
      const info = await probeNats('127.0.0.1', 4222)
      if (info?.jetstream === false) log(`NATS on ${DEFAULT_URL} has JetStream disabled; starting our own`)
      else if (info) {
        log(`using running nats-server ${info.version ?? '?'} on ${DEFAULT_URL}`)
        return { url: DEFAULT_URL, started: false, stop: noop }
      }
    }
    const bin = await findOrInstallNatsServer(log)
    const port = await pickPort(opts.preferPort ?? 4222)
    const logFile = path.join(dataDir, 'nats-server.log')
    const out = fs.openSync(logFile, 'a')
    // Detached: Ctrl-C on the terminal reaches us, and we stop the server in order.
    const child = spawn(bin, ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', dataDir], {
      stdio: ['ignore', out, out],
      detached: true
    })
    fs.closeSync(out)
    child.unref()
    let exited: string | undefined
    child.on('exit', (code, signal) => (exited = signal ? `signal ${signal}` : `exit code ${code}`))
    child.on('error', (err) => (exited = err.message))
    const pid = child.pid
    let info: NatsInfo
    try {
      info = await waitFor(`nats-server on 127.0.0.1:${port}`, 20_000, async () => {
        if (exited) throw new GiveUp(`nats-server exited (${exited})`)
        return probeNats('127.0.0.1', port, 1_000)
      })
    } catch (err) {
      if (pid) await terminate(pid, 2_000)
      throw new Error(`could not start ${bin} on port ${port}: ${(err as Error).message}\n${tailFile(logFile)}`)
    }
    if (pid === undefined) throw new Error('nats-server started without a pid')
    fs.writeFileSync(stateFile, JSON.stringify({ pid, port } satisfies NatsState))
    const url = `nats://127.0.0.1:${port}`
    log(`started nats-server ${info.version ?? '?'} on ${url} (pid ${pid}, data ${opts.dataDir})`)
    return { url, started: true, stop: leasedStop(dataDir, addLease(dataDir), stopOurs(pid)) }
  })
}

async function findOrInstallNatsServer(log: Log): Promise<string> {
  const found = which('nats-server')
  if (found) return found
  log('nats-server not found on PATH or in /usr/sbin; installing Debian package nats-server')
  try {
    await aptInstall(['nats-server'], log)
  } catch (err) {
    throw new Error(`nats-server not found and apt-get install failed: ${(err as Error).message}`)
  }
  const installed = which('nats-server')
  if (!installed) throw new Error('nats-server still not found after apt-get install nats-server')
  return installed
}
