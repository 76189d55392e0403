import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readOutput } from '../projections/output-store.ts'
import { runOutputSink } from '../projections/output-sink.ts'
import { openHarness, type Harness } from '../test/harness.ts'
import { consumeWork, enqueueWork, followOutput, provisionWorkQueue, publishOutput, workSubject } from './index.ts'

let h: Harness
beforeAll(async () => {
  h = await openHarness()
  await provisionWorkQueue(h.platform.nc, h.platform.eventLog.names, 1, { ackWaitMs: 1_000, maxDeliver: 3, maxAckPending: 100 })
})
afterAll(async () => {
  await h?.close()
})

describe('Work queue', () => {
  it('hands each item to exactly one slot, dedupes re-sent items and redelivers unfinished ones', async () => {
    const names = h.platform.eventLog.names
    const exec = crypto.randomUUID()
    const ids = Array.from({ length: 20 }, () => crypto.randomUUID())
    for (const t of ids) await enqueueWork(h.platform.nc, workSubject(names, exec, t), new TextEncoder().encode(t), `${exec}:${t}:1`)
    await enqueueWork(h.platform.nc, workSubject(names, exec, ids[0]!), new TextEncoder().encode(ids[0]!), `${exec}:${ids[0]}:1`)
    const seen: string[] = []
    let givenBack = false
    const stop = new AbortController()
    const consuming = consumeWork(h.platform.nc, names, 4, async (item) => {
      const id = new TextDecoder().decode(item.data)
      if (id === ids[5] && !givenBack) {
        givenBack = true
        item.retryLater(10)
        return
      }
      seen.push(id)
      await item.done()
      if (seen.length === ids.length) stop.abort()
    }, stop.signal)
    await consuming
    expect([...seen].sort()).toEqual([...ids].sort())
  }, 20_000)
})

describe('Live output', () => {
  it('streams chunks in order to a follower and into PostgreSQL for range reads', async () => {
    const names = h.platform.eventLog.names
    const exec = crypto.randomUUID()
    const target = crypto.randomUUID()
    const stop = new AbortController()
    const sink = runOutputSink({ databaseUrl: h.databaseUrl, nc: h.platform.nc, names, log: () => undefined, signal: stop.signal })
    const chunk = (seq: number) => ({ executionId: exec, targetId: target, attempt: 1, seq, stream: 'stdout' as const, stepIndex: 0, data: new TextEncoder().encode(`line ${seq}\n`) })
    for (let seq = 1; seq <= 300; seq++) await publishOutput(h.platform.nc, names, chunk(seq))
    const got: number[] = []
    const follow = new AbortController()
    for await (const c of followOutput(h.platform.nc, names, { executionId: exec, targetId: target, fromPosition: 1 }, follow.signal)) {
      got.push(c.seq)
      if (c.seq === 300) break
    }
    expect(got).toEqual(Array.from({ length: 300 }, (_, i) => i + 1))
    const deadline = Date.now() + 10_000
    let stored = await readOutput(h.platform.pool, exec, target, { maxBytes: 1_000_000 })
    while (stored.length < 300 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50))
      stored = await readOutput(h.platform.pool, exec, target, { maxBytes: 1_000_000 })
    }
    expect(stored.map((c) => c.seq)).toEqual(got)
    const page = await readOutput(h.platform.pool, exec, target, { afterSeq: 100, maxBytes: 100 })
    expect(page[0]?.seq).toBe(101)
    expect(page.reduce((n, c) => n + c.data.length, 0)).toBeLessThanOrEqual(100 + 10)
    stop.abort()
    await sink
  }, 30_000)
})
