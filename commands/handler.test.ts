import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { targets, targetDecider, type TargetCommand, type TargetEvent } from '../domains/targets/index.ts'
import { fold } from '../domains/shared/index.ts'
import { readStream } from '../projections/event-store.ts'
import { openHarness, type Harness } from '../test/harness.ts'

let h: Harness
beforeAll(async () => {
  h = await openHarness()
})
afterAll(async () => {
  await h?.close()
})

const register = (targetId: string, name = `web-${targetId.slice(0, 8)}`): TargetCommand => ({
  type: 'RegisterTarget',
  targetId,
  name,
  address: '10.0.0.1',
  connection: 'SSH',
  tags: [],
  at: new Date().toISOString()
})

describe('Command handler', () => {
  it('stores the events of an accepted command and answers once they are durable', async () => {
    const id = crypto.randomUUID()
    const result = await h.run(h.platform, targets, register(id))
    if (result._tag !== 'Success') throw result.failure
    expect(result.success.durable).toBe(true)
    const { rows } = await h.platform.pool.query('SELECT name FROM targets WHERE id = $1', [id])
    expect(rows).toHaveLength(1)
  })

  it('publishes one set of events for a command id sent twice, also after a restart', async () => {
    const id = crypto.randomUUID()
    const commandId = crypto.randomUUID()
    const first = await h.run(h.platform, targets, register(id), { commandId })
    const second = await h.run(h.platform, targets, register(id), { commandId })
    // A fresh process (no cache) long after: the command id is found in the stream's history.
    const replica = await h.replica()
    const tagCommandId = crypto.randomUUID()
    const tag: TargetCommand = { type: 'TagTarget', targetId: id, tags: ['web'], at: new Date().toISOString() }
    await h.run(h.platform, targets, tag, { commandId: tagCommandId })
    const untag: TargetCommand = { type: 'UntagTarget', targetId: id, tags: ['web'], at: new Date().toISOString() }
    await h.run(h.platform, targets, untag)
    const again = await h.run(replica, targets, tag, { commandId: tagCommandId })
    expect(first._tag).toBe('Success')
    expect(second._tag === 'Success' && second.success.replayed).toBe(true)
    expect(again._tag === 'Success' && again.success.replayed).toBe(true)
    const stored = await readStream(h.platform.pool, `target-${id}`)
    expect(stored.map((e) => e.type)).toEqual(['TargetRegistered', 'TargetTagged', 'TargetUntagged'])
  })

  it('refuses a command id reused for a command on another aggregate instead of reporting it done', async () => {
    const [a, b] = [crypto.randomUUID(), crypto.randomUUID()]
    for (const id of [a, b]) await h.run(h.platform, targets, register(id))
    const commandId = crypto.randomUUID()
    const tag = (targetId: string): TargetCommand => ({ type: 'TagTarget', targetId, tags: ['reused'], at: new Date().toISOString() })
    expect((await h.run(h.platform, targets, tag(a), { commandId }))._tag).toBe('Success')
    const reused = await h.run(h.platform, targets, tag(b), { commandId })
    expect(reused._tag === 'Failure' && reused.failure._tag === 'Rejected' && reused.failure.rejection.field).toBe('commandId')
    expect((await readStream(h.platform.pool, `target-${b}`)).map((e) => e.type)).toEqual(['TargetRegistered'])
    // The aggregate is untouched, also in this process's cache: a new command id goes through.
    expect((await h.run(h.platform, targets, tag(b)))._tag).toBe('Success')
  })

  it('keeps 50 concurrent conflicting commands from five writers consistent', async () => {
    const id = crypto.randomUUID()
    await h.run(h.platform, targets, register(id))
    const writers = [h.platform, ...(await Promise.all([1, 2, 3, 4].map(() => h.replica())))]
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        h.run(writers[i % writers.length]!, targets, { type: 'TagTarget', targetId: id, tags: [`t${i}`], at: new Date().toISOString() })
      )
    )
    const accepted = outcomes.filter((o) => o._tag === 'Success')
    const rejected = outcomes.filter((o) => o._tag === 'Failure')
    for (const r of rejected) expect(r._tag === 'Failure' && r.failure._tag).toBe('ConcurrencyConflict')
    expect(accepted.length).toBeGreaterThan(0)

    // Wait for the sink to reach the last accepted position, then compare with a sequential fold.
    const last = Math.max(...accepted.map((a) => (a._tag === 'Success' ? a.success.position : 0)))
    expect(await h.platform.committed.waitFor(last, 5_000)).toBe(true)
    const stored = await readStream(h.platform.pool, `target-${id}`)
    expect(stored.filter((e) => e.type === 'TargetTagged')).toHaveLength(accepted.length)
    expect(new Set(stored.map((e) => e.id)).size).toBe(stored.length)
    const state = fold(targetDecider, stored.map((e) => ({ type: e.type, data: e.data }) as TargetEvent))
    const { rows } = await h.platform.pool.query<{ tags: string[] }>('SELECT tags FROM targets WHERE id = $1', [id])
    expect(rows[0]?.tags).toEqual(state.status === 'active' ? [...state.tags].sort() : [])
    expect(rows[0]?.tags).toHaveLength(accepted.length)
  })

  it('publishes commands queued on one stream together, each event under its own command id', async () => {
    const id = crypto.randomUUID()
    await h.run(h.platform, targets, register(id))
    const commandIds = Array.from({ length: 30 }, () => crypto.randomUUID())
    const outcomes = await Promise.all(
      commandIds.map((commandId, i) =>
        h.run(h.platform, targets, { type: 'TagTarget', targetId: id, tags: [`b${i}`], at: new Date().toISOString() }, { commandId })
      )
    )
    expect(outcomes.every((o) => o._tag === 'Success')).toBe(true)
    const stored = await readStream(h.platform.pool, `target-${id}`)
    const tagged = stored.filter((e) => e.type === 'TargetTagged')
    expect(tagged.map((e) => e.meta.commandId).sort()).toEqual([...commandIds].sort())
    // Fewer messages than commands: the ones that queued behind an append went out together.
    expect(new Set(tagged.map((e) => e.position)).size).toBeLessThan(commandIds.length)
    const again = await h.run(h.platform, targets, { type: 'TagTarget', targetId: id, tags: ['b0'], at: new Date().toISOString() }, { commandId: commandIds[5]! })
    expect(again._tag === 'Success' && again.success.replayed).toBe(true)
  })
})
