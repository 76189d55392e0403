import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freshDatabase, type FreshDatabase } from '../test/support.ts'
import { createPool, type Pool } from './db.ts'

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
})
