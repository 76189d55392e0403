// Names of databases created by tests (`ops_t_<label>_<time><random>`) and the clean-up of ones
// a crashed run left behind. The creation time is in the name, so no bookkeeping is needed.
import crypto from 'node:crypto'
import { dropDatabase, withAdminClient } from './local-pgdb.ts'
import type { Log } from './local-util.ts'

const PREFIX = 'ops_t_'
const STAMP = 9 // base-36 milliseconds, zero-padded
const RANDOM = 8

export function testDatabaseName(label = 'db'): string {
  const clean = label.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 24) || 'db'
  const stamp = Date.now().toString(36).padStart(STAMP, '0')
  return `${PREFIX}${clean}_${stamp}${crypto.randomBytes(RANDOM / 2).toString('hex')}`
}

function createdAt(name: string): number | undefined {
  const tail = name.slice(name.lastIndexOf('_') + 1)
  if (!name.startsWith(PREFIX) || tail.length !== STAMP + RANDOM) return undefined
  const ms = Number.parseInt(tail.slice(0, STAMP), 36)
  return Number.isFinite(ms) ? ms : undefined
}

/** Drops test databases older than `maxAgeMs` (default 6 h): no test run lives that long. */
export async function dropStaleTestDatabases(adminUrl: string, log: Log, maxAgeMs = 6 * 3600_000): Promise<void> {
  const names = await withAdminClient(adminUrl, async (c) =>
    (await c.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'ops\\_t\\_%'")).rows.map((r) => r.datname))
  const stale = names.filter((n) => {
    const at = createdAt(n)
    return at !== undefined && Date.now() - at > maxAgeMs
  })
  for (const name of stale) await dropDatabase(adminUrl, name)
  if (stale.length > 0) log(`dropped ${stale.length} test database(s) older than ${maxAgeMs / 3600_000} h`)
}
