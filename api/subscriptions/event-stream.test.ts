import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CommittedFrame } from '../../bus/index.ts'
import type { RecordedEvent } from '../../domains/shared/index.ts'
import { targets, type TargetCommand } from '../../domains/targets/index.ts'
import { readRange } from '../../projections/event-store.ts'
import { openHarness, type Harness } from '../../test/harness.ts'
import { EventStream } from './event-stream.ts'
import { EventFeed, eventFeedFor } from './feed.ts'

let h: Harness
beforeAll(async () => {
  h = await openHarness()
})
afterAll(async () => {
  await h?.close()
})

const register = (targetId: string): TargetCommand => ({
  type: 'RegisterTarget', targetId, name: `n-${targetId}`, address: '10.0.0.1', connection: 'SSH', tags: [], at: new Date().toISOString()
})
const tag = (targetId: string, t: string): TargetCommand => ({ type: 'TagTarget', targetId, tags: [t], at: new Date().toISOString() })

/** `writers` concurrent loops, each registering a target then tagging it `commands - 1` times. */
const write = async (writers: number, commands: number): Promise<number> => {
  const positions = await Promise.all(
    Array.from({ length: writers }, async () => {
      const id = crypto.randomUUID()
      let last = 0
      for (let i = 0; i < commands; i++) {
        const r = await h.run(h.platform, targets, i === 0 ? register(id) : tag(id, `t${i}`), { awaitCommittedMs: 0 })
        if (r._tag !== 'Success') throw r.failure
        last = r.success.position
      }
      return last
    })
  )
  const last = Math.max(...positions)
  expect(await h.platform.committed.waitFor(last, 10_000)).toBe(true)
  return last
}

/** The next `count` entries' ids, failing if they do not come within `ms`. */
const take = async (stream: AsyncIterator<{ id: string }>, count: number, ms = 10_000): Promise<string[]> => {
  const ids: string[] = []
  const deadline = setTimeout(() => void stream.return?.(), ms)
  while (ids.length < count) {
    const r = await stream.next()
    if (r.done) break
    ids.push(r.value.id)
  }
  clearTimeout(deadline)
  return ids
}

const idsAfter = async (after: number, upTo: number) => (await readRange(h.platform.pool, after, upTo)).map((e) => e.id)

const framesOf = (events: ReadonlyArray<RecordedEvent>): CommittedFrame[] => {
  const byPosition = new Map<number, RecordedEvent[]>()
  for (const e of events) byPosition.set(e.position, [...(byPosition.get(e.position) ?? []), e])
  return [...byPosition].map(([upTo, es]) => ({ upTo, events: es }))
}

describe('Event subscription', () => {
  it('delivers every event after P exactly once, in order, when subscribing while commands are written', async () => {
    await write(2, 5)
    const start = h.platform.committed.current
    let finished = false
    const writing = write(4, 60).finally(() => (finished = true))
    // Subscribe once a good part is committed, while the rest is still being written, from a
    // position a little back: the replay from the table and the live frames overlap.
    while (h.platform.committed.current < start + 60) await new Promise((r) => setTimeout(r, 2))
    const p = h.platform.committed.current - 20
    const stream = eventFeedFor(h.platform).subscribe({ types: null, after: p })
    const received: string[] = []
    const consuming = (async () => {
      for await (const e of stream) received.push(e.id)
    })()
    expect(finished).toBe(false)
    const last = await writing
    const expected = await idsAfter(p, last)
    expect(expected.length).toBeGreaterThan(100)
    for (let waited = 0; received.length < expected.length && waited < 10_000; waited += 20) await new Promise((r) => setTimeout(r, 20))
    // Nothing more may come: no duplicates after the last event either.
    await new Promise((r) => setTimeout(r, 300))
    expect(received).toEqual(expected)
    await stream.return()
    await consuming
  })

  it('fills lost and skips repeated live frames from the table', async () => {
    const p = h.platform.committed.current
    const last = await write(3, 10)
    const frames = framesOf(await readRange(h.platform.pool, p, last))
    const stream = new EventStream(h.platform.pool, { types: null, after: p }, () => undefined)
    const first = stream.next()
    // Every third frame lost, every fourth sent twice, an old frame replayed at the end.
    for (const [i, f] of frames.entries()) {
      if (i % 3 !== 1) stream.offer(f)
      if (i % 4 === 0) stream.offer(f)
    }
    stream.offer(frames[0]!)
    const received = [(await first).value.id, ...(await take(stream, (await idsAfter(p, last)).length - 1))]
    expect(received).toEqual(await idsAfter(p, last))
    await stream.return()
  })

  it('falls back to the table when a slow subscriber overflows its buffer', async () => {
    const p = h.platform.committed.current
    const last = await write(3, 10)
    const stream = new EventStream(h.platform.pool, { types: null, after: p, maxQueuedEvents: 5 }, () => undefined)
    for (const f of framesOf(await readRange(h.platform.pool, p, last))) stream.offer(f)
    const expected = await idsAfter(p, last)
    expect(await take(stream, expected.length)).toEqual(expected)
    await stream.return()
  })

  it('catches up from the table when a live frame is lost and no other follows', async () => {
    // A feed on a subject nobody publishes to: only the committed-position watch can help it.
    const feed = new EventFeed({
      nc: h.platform.nc,
      subject: `${h.namespace}.silent`,
      db: h.platform.pool,
      committedPosition: () => h.platform.committed.current,
      log: () => undefined,
      repairAfterMs: 50
    })
    const p = h.platform.committed.current
    const stream = feed.subscribe({ types: ['TargetTagged'], after: null })
    const receiving = take(stream, 6, 5_000)
    const last = await write(2, 4)
    const expected = (await readRange(h.platform.pool, p, last)).filter((e) => e.type === 'TargetTagged').map((e) => e.id)
    expect(expected).toHaveLength(6)
    expect(await receiving).toEqual(expected)
    feed.close()
  })

  it('stops at once and unregisters when the client goes away', async () => {
    const feed = eventFeedFor(h.platform)
    const before = feed.subscribers
    const stream = feed.subscribe({ types: ['Nothing*'], after: null })
    const pending = stream.next()
    await new Promise((r) => setTimeout(r, 50))
    expect(feed.subscribers).toBe(before + 1)
    await stream.return()
    expect(await pending).toEqual({ value: undefined, done: true })
    expect(feed.subscribers).toBe(before)
  })
})
