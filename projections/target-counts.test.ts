import { Effect } from 'effect'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { registerTarget, removeTarget, untagTarget } from '../commands/targets.ts'
import type { CommandServices } from '../runtime/platform.ts'
import { context, openHarness, type Harness } from '../test/harness.ts'
import { inlineProjections } from './all.ts'
import { rebuildProjections } from './rebuild.ts'
import { queryTargets } from './target-filter-sql.ts'

let h: Harness
beforeAll(async () => {
  h = await openHarness()
})
afterAll(async () => {
  await h?.close()
})

const run = <A, E>(effect: Effect.Effect<A, E, CommandServices>) => h.platform.commands.runPromise(effect)
const register = (name: string, tags: string[]) => run(registerTarget({ name, address: '10.0.0.1', connection: 'SSH', tags }, context()))
const total = async (filter: string) => (await queryTargets(h.platform.pool, { filter, first: 2 })).totalCount

describe('Target counts kept between pages', () => {
  it('answer a filter that matched nothing without reading, until a matching target arrives', async () => {
    expect(await queryTargets(h.platform.pool, { filter: 'tag:later', first: 5 })).toEqual({ rows: [], totalCount: 0, hasNextPage: false, endCursor: null })
    expect(await total('tag:later')).toBe(0)
    await register('later-a', ['later'])
    const page = await queryTargets(h.platform.pool, { filter: 'tag:later', first: 5 })
    expect(page.totalCount).toBe(1)
    expect(page.rows.map((r) => r.name)).toEqual(['later-a'])
  })

  it('are exact after every change the sink commits, and after a rebuild', async () => {
    const first = await register('count-a', ['counted'])
    await register('count-b', ['counted'])
    expect(await total('tag:counted')).toBe(2)
    expect(await total('tag:counted')).toBe(2)

    // Every kind of change to the table: a new row, a changed row, a removed row.
    const third = await register('count-c', ['counted'])
    expect(await total('tag:counted')).toBe(3)
    await run(untagTarget(third.id, ['counted'], context()))
    expect(await total('tag:counted')).toBe(2)
    await run(removeTarget(first.id, context()))
    expect(await total('tag:counted')).toBe(1)

    // A row changed behind the sink's back (as a buggy projection would) is put right by a
    // rebuild, and the kept count follows the rebuilt table.
    await h.platform.pool.query("UPDATE targets SET tags = tags || '{counted}'::text[] WHERE name = 'count-c'")
    expect(await total('tag:counted')).toBe(1)
    await h.platform.pool.query("DELETE FROM targets WHERE name = 'count-b'")
    await rebuildProjections(h.platform.pool, inlineProjections, { swap: true })
    expect(await total('tag:counted')).toBe(1)
    expect((await queryTargets(h.platform.pool, { filter: 'tag:counted', first: 5 })).rows.map((r) => r.name)).toEqual(['count-b'])
  })
})
