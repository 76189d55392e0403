// Small admin operations on a PostgreSQL server given its maintenance-db URL.
import pg from 'pg'

const NAME = /^[a-z_][a-z0-9_]{0,62}$/

function checkName(name: string): string {
  if (!NAME.test(name)) throw new Error(`invalid database name ${JSON.stringify(name)} (want ${NAME.source})`)
  return name
}

/** Runs `fn` with a short-lived client; connection and statements are bounded in time. */
export async function withAdminClient<T>(adminUrl: string, fn: (c: pg.Client) => Promise<T>, timeoutMs = 15_000): Promise<T> {
  const client = new pg.Client({
    connectionString: adminUrl,
    connectionTimeoutMillis: Math.min(timeoutMs, 10_000),
    statement_timeout: timeoutMs,
    query_timeout: timeoutMs + 1_000,
    application_name: 'opsconductor-local-services'
  })
  client.on('error', () => undefined) // a dropped connection surfaces through the awaited query
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end().catch(() => undefined)
  }
}

/** The URL of database `name` on the same server, same credentials. */
export function databaseUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl)
  url.pathname = `/${encodeURIComponent(checkName(name))}`
  return url.toString()
}

/** Creates the database unless it exists. */
export async function createDatabase(adminUrl: string, name: string): Promise<void> {
  checkName(name)
  await withAdminClient(adminUrl, async (c) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await c.query(`CREATE DATABASE "${name}"`)
        return
      } catch (err) {
        const code = (err as { code?: string }).code
        if (code === '42P04') return // duplicate_database: already there
        // 55006: template1 briefly in use by a concurrent CREATE DATABASE
        if (code !== '55006' || attempt >= 20) throw err
        await new Promise((r) => setTimeout(r, 100 * attempt))
      }
    }
  }, 60_000)
}

/** Drops the database if it exists, disconnecting its sessions first. */
export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  checkName(name)
  await withAdminClient(adminUrl, async (c) => {
    try {
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
    } catch (err) {
      if ((err as { code?: string }).code !== '42601') throw err // not a syntax error: a real failure
      // PostgreSQL < 13 has no WITH (FORCE).
      await c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name])
      await c.query(`DROP DATABASE IF EXISTS "${name}"`)
    }
  }, 60_000)
}

/** True when a connection to `url` succeeds and answers a query. */
export async function pgAnswers(url: string, timeoutMs = 3_000): Promise<boolean> {
  try {
    await withAdminClient(url, (c) => c.query('SELECT 1'), timeoutMs)
    return true
  } catch {
    return false
  }
}

export async function serverVersion(url: string): Promise<string> {
  return withAdminClient(url, async (c) => {
    const r = await c.query<{ server_version: string }>('SHOW server_version')
    return r.rows[0]?.server_version ?? '?'
  })
}
