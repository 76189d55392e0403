import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freshDatabase, pgAdminUrl, type FreshDatabase } from '../test/support.ts'
import { CommittedPositions } from './committed-positions.ts'
import { createPool, type Pool } from './db.ts'
import { migrate } from './migrate.ts'
import { COMMITTED_CHANNEL, SINK_CHECKPOINT } from './sink.ts'

let db: FreshDatabase
let pool: Pool
let admin: pg.Client
beforeAll(async () => {
  db = await freshDatabase('committed')
  pool = createPool(db.url, 2, 'committed-test')
  await migrate(pool)
  admin = new pg.Client({ connectionString: pgAdminUrl() })
  await admin.connect()
})
afterAll(async () => {
  await admin?.query(`ALTER DATABASE "${db.name}" ALLOW_CONNECTIONS true`).catch(() => undefined)
  await admin?.end()
  await pool?.end()
  await db?.drop()
})

/** What the sink does at the end of each batch. */
const commit = async (position: number) => {
  await pool.query(
    'INSERT INTO checkpoints (name, position, updated_at) VALUES ($1, $2, now()) ON CONFLICT (name) DO UPDATE SET position = EXCLUDED.position',
    [SINK_CHECKPOINT, position]
  )
  await pool.query('SELECT pg_notify($1, $2)', [COMMITTED_CHANNEL, `${position} *`])
}

describe('CommittedPositions', () => {
  it('listens again after PostgreSQL dropped it and refused it for a while', async () => {
    const logs: string[] = []
    const committed = new CommittedPositions(db.url, (m) => void logs.push(m))
    await committed.start()
    try {
      await commit(41)
      expect(await committed.waitFor(41, 5_000)).toBe(true)
      // PostgreSQL ends the listening session and refuses new ones for two seconds.
      await admin.query(`ALTER DATABASE "${db.name}" ALLOW_CONNECTIONS false`)
      await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'opsconductor-committed'", [db.name])
      await new Promise((r) => setTimeout(r, 2_000))
      await admin.query(`ALTER DATABASE "${db.name}" ALLOW_CONNECTIONS true`)
      await commit(42)
      expect(await committed.waitFor(42, 15_000)).toBe(true)
      await commit(43)
      expect(await committed.waitFor(43, 5_000)).toBe(true)
      expect(logs.some((m) => m.includes('listening again'))).toBe(true)
    } finally {
      await committed.stop()
    }
  })
})
