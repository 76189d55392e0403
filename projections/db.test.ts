import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freshDatabase, type FreshDatabase } from '../test/support.ts'
import { connectClient, createPool, type Pool } from './db.ts'

let db: FreshDatabase
let pool: Pool
beforeAll(async () => {
  db = await freshDatabase('pool')
  pool = createPool(db.url, 2, 'pool-test')
})
afterAll(async () => {
  await pool?.end()
  await db?.drop()
})

describe('Connection pool', () => {
  it('survives PostgreSQL closing an idle connection, and the next query reconnects', async () => {
    const { rows } = await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')
    const other = createPool(db.url, 1, 'pool-test-admin')
    await other.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid])
    await other.end()
    // The termination reaches the idle connection as an 'error' on the pool.
    await new Promise((r) => setTimeout(r, 200))
    const again = await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')
    expect(again.rows[0]!.pid).not.toBe(rows[0]!.pid)
  })

  it('gives lease and LISTEN connections keepalives, so a dropped network frees the sink lock within a minute', async () => {
    const client = await connectClient(db.url, 'keepalive-test')
    try {
      const { rows } = await client.query(
        "SELECT current_setting('tcp_keepalives_idle') AS idle, current_setting('tcp_keepalives_interval') AS every, current_setting('tcp_keepalives_count') AS count"
      )
      // The tests reach PostgreSQL over TCP (over a Unix socket keepalives do not apply).
      expect([rows[0].idle, rows[0].every, rows[0].count]).toEqual(['30', '10', '3'])
    } finally {
      await client.end()
    }
  })
})
