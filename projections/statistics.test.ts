import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openHarness, type Harness } from '../test/harness.ts'
import { keepStatisticsFresh } from './statistics.ts'

let h: Harness
beforeAll(async () => {
  h = await openHarness({ sink: false })
})
afterAll(async () => {
  await h?.close()
})

const stats = async () =>
  (await h.platform.pool.query<{ changed: number; analyzed: boolean }>(
    "SELECT n_mod_since_analyze::int AS changed, last_analyze IS NOT NULL AS analyzed FROM pg_stat_user_tables WHERE relname = 'targets'"
  )).rows[0]!

describe('Read model statistics', () => {
  it('are brought up to date after a bulk change, without waiting for autovacuum', async () => {
    await h.platform.pool.query(
      `INSERT INTO targets (id, name, address, port, connection, tags, attributes, created_at, updated_at, position)
       SELECT gen_random_uuid(), 'bulk-' || i, '10.9.0.' || (i % 250), 22, 'SSH', '{bulk}', '{}', now(), now(), i FROM generate_series(1, 3000) AS i`
    )
    // Activity statistics reach the shared counters within about a second.
    for (let i = 0; i < 50 && (await stats()).changed < 3000; i++) await new Promise((r) => setTimeout(r, 100))
    expect((await stats()).changed).toBeGreaterThanOrEqual(3000)
    const stop = new AbortController()
    const running = keepStatisticsFresh(h.platform.pool, ['targets'], stop.signal, () => undefined)
    for (let i = 0; i < 50 && !(await stats()).analyzed; i++) await new Promise((r) => setTimeout(r, 100))
    stop.abort()
    await running
    expect(await stats()).toMatchObject({ analyzed: true, changed: 0 })
  })
})
