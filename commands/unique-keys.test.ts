import { Effect } from 'effect'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { targets } from '../domains/targets/index.ts'
import type { CommandServices } from '../runtime/platform.ts'
import { context, openHarness, type Harness } from '../test/harness.ts'
import { reservations } from '../domains/reservations/index.ts'
import { handleCommand, loadState } from './handler.ts'
import { keyDigest } from './ids.ts'
import { registerTarget, removeTarget, updateTarget } from './targets.ts'

let h: Harness
beforeAll(async () => {
  h = await openHarness()
})
afterAll(async () => {
  await h?.close()
})

const attempt = <A, E>(effect: Effect.Effect<A, E, CommandServices>) => h.platform.commands.runPromise(Effect.result(effect))
const register = (name: string) => attempt(registerTarget({ name, address: '10.3.0.1', connection: 'SSH' }, context()))
const code = (r: Awaited<ReturnType<typeof register>>) => (r._tag === 'Failure' && r.failure._tag === 'Rejected' ? r.failure.rejection.category : r._tag)

describe('Unique target names', () => {
  it('refuses a taken name in any case, frees it on rename and on removal', async () => {
    const first = await register('web-unique')
    expect(first._tag).toBe('Success')
    expect(code(await register('WEB-unique'))).toBe('conflict')
    if (first._tag !== 'Success') return
    await h.platform.commands.runPromise(updateTarget({ targetId: first.success.id, name: 'web-renamed' }, context()))
    expect((await register('web-unique'))._tag).toBe('Success')
    expect(code(await register('web-renamed'))).toBe('conflict')
    await h.platform.commands.runPromise(removeTarget(first.success.id, context()))
    expect((await register('web-renamed'))._tag).toBe('Success')
  })

  it('takes over a name whose holder was renamed without releasing it (a crash between the two)', async () => {
    const holder = await register('stale-name')
    if (holder._tag !== 'Success') throw new Error('setup failed')
    // Rename through the bare handler: the reservation of "stale-name" stays, pointing at a
    // target that no longer uses the name — what a crash after the rename would leave.
    await h.platform.commands.runPromise(
      handleCommand(targets, { type: 'UpdateTarget', targetId: holder.success.id, name: 'moved-on', at: new Date().toISOString() }, context())
    )
    expect((await register('stale-name'))._tag).toBe('Success')
  })

  it('lets exactly one of 20 concurrent registrations of one name through', async () => {
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => register('contested')))
    expect(outcomes.filter((o) => o._tag === 'Success')).toHaveLength(1)
    expect(outcomes.filter((o) => code(o) === 'conflict')).toHaveLength(19)
    const { rows } = await h.platform.pool.query("SELECT count(*)::int AS n FROM targets WHERE lower(name) = 'contested'")
    expect(rows[0]).toEqual({ n: 1 })
  })

  it('keeps the current name reserved when an earlier rename is sent again', async () => {
    const t = await register('replay-web')
    if (t._tag !== 'Success') throw new Error('setup failed')
    const id = t.success.id
    const first = context()
    await h.platform.commands.runPromise(updateTarget({ targetId: id, name: 'replay-api' }, first))
    await h.platform.commands.runPromise(updateTarget({ targetId: id, name: 'replay-db' }, context()))
    // The first rename again (its answer was lost, say): the same command id, nothing new happens.
    const again = await h.platform.commands.runPromise(updateTarget({ targetId: id, name: 'replay-api' }, first))
    expect(again.replayed).toBe(true)
    const db = await h.platform.commands.runPromise(loadState(reservations, keyDigest('target-name', 'replay-db'), true))
    expect(db).toMatchObject({ status: 'held', ownerId: id })
    expect(code(await register('replay-db'))).toBe('conflict')
    expect((await register('replay-web'))._tag).toBe('Success')
  })

  it('decides a rename on the name the target has now, not on another process’s stale copy', async () => {
    const other = await h.replica()
    const t = await register('stale-web')
    if (t._tag !== 'Success') throw new Error('setup failed')
    const id = t.success.id
    // This process caches the target as "stale-web"; the other one renames it.
    await h.platform.commands.runPromise(updateTarget({ targetId: id, address: '10.3.0.2' }, context()))
    await other.commands.runPromise(updateTarget({ targetId: id, name: 'stale-api' }, context()))
    // A form that resends the name it showed: here that is a rename back to "stale-web".
    await h.platform.commands.runPromise(updateTarget({ targetId: id, name: 'stale-web', address: '10.3.0.3' }, context()))
    expect(code(await register('stale-web'))).toBe('conflict')
    expect((await register('stale-api'))._tag).toBe('Success')
  })
})
