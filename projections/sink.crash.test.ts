import type { ChildProcess } from 'node:child_process'
import { killProcess, spawnRole } from '../test/processes.ts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { targets } from '../domains/targets/index.ts'
import { openHarness, type Harness } from '../test/harness.ts'

/** The sink as a real separate process, so it can be killed with SIGKILL mid-batch. */
const spawnSink = (h: Harness) => spawnRole(h, 'projections/main.ts')

const checkpoint = async (h: Harness) => {
  const { rows } = await h.platform.pool.query<{ position: number }>("SELECT position FROM checkpoints WHERE name = 'sink'")
  return rows[0]?.position ?? 0
}

const until = async (what: string, condition: () => Promise<boolean>, timeoutMs = 30_000) => {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

const kill = killProcess

let h: Harness
const children: ChildProcess[] = []
beforeAll(async () => {
  h = await openHarness({ sink: false })
})
afterAll(async () => {
  await Promise.all(children.map(kill))
  await h?.close()
})

describe('Sink', () => {
  it('stores every event exactly once across SIGKILLs, and a standby takes over', async () => {
    // Publish without waiting for durability, in waves, for as long as the sinks are being killed.
    let publishing = true
    let accepted = 0
    let failed = 0
    const publisher = (async () => {
      for (let wave = 0; publishing; wave++) {
        const outcomes = await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            h.run(h.platform, targets, {
              type: 'RegisterTarget', targetId: crypto.randomUUID(), name: `crash-${wave}-${i}`, address: '10.1.0.1', connection: 'SSH', at: new Date().toISOString()
            }, { awaitCommittedMs: 0 })
          )
        )
        accepted += outcomes.filter((o) => o._tag === 'Success').length
        failed += outcomes.filter((o) => o._tag === 'Failure').length
      }
    })()
    const first = spawnSink(h)
    children.push(first)
    await until('the first sink to commit something', async () => (await checkpoint(h)) > 0)
    const standby = spawnSink(h)
    children.push(standby)
    await new Promise((r) => setTimeout(r, 500))
    await kill(first)
    const killedAt = await checkpoint(h)

    // The standby takes over; then it too is killed mid-way and a third sink finishes.
    await until('the standby to move on', async () => (await checkpoint(h)) > killedAt, 20_000)
    await kill(standby)
    const third = spawnSink(h)
    children.push(third)
    await new Promise((r) => setTimeout(r, 1_000))
    publishing = false
    await publisher
    expect(failed).toBe(0)
    const last = await h.platform.eventLog.lastSequence()
    expect(killedAt).toBeLessThan(last)
    await until('the sink to reach the end of the stream', async () => (await checkpoint(h)) >= last)

    const { rows } = await h.platform.pool.query<{ events: number; ids: number; positions: number; targets: number }>(
      `SELECT (SELECT count(*) FROM events)::int AS events, (SELECT count(DISTINCT id) FROM events)::int AS ids,
              (SELECT count(DISTINCT position) FROM events)::int AS positions, (SELECT count(*) FROM targets)::int AS targets`
    )
    // One event per registration, each stored once; every position of the stream is there.
    expect(rows[0]).toEqual({ events: accepted, ids: accepted, positions: last, targets: accepted })
    await kill(third)
  }, 120_000)
})
