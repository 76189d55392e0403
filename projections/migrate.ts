import { readdir, readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { inTransaction, type Pool } from './db.ts'

const DIR = fileURLToPath(new URL('./migrations/', import.meta.url))
// Any fixed number works; it only has to be the same for every process that migrates.
const MIGRATION_LOCK = 7_311_001

/**
 * Applies `migrations/NNN_name.sql` in order, each once, forward only. Several processes may
 * start together: a transaction-scoped advisory lock makes the others wait, then find nothing to do.
 */
export const migrate = async (pool: Pool): Promise<string[]> => {
  const files = (await readdir(DIR)).filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f)).sort()
  const client = await pool.connect()
  try {
    return await inTransaction(client, async () => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK])
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`)
      const done = new Set((await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version))
      const applied: string[] = []
      for (const file of files) {
        const version = Number(file.slice(0, 3))
        if (done.has(version)) continue
        await client.query(await readFile(DIR + file, 'utf8'))
        await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [version, file])
        applied.push(file)
      }
      return applied
    })
  } finally {
    client.release()
  }
}
