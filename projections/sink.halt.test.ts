import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { targets } from '../domains/targets/index.ts'
import { inlineProjections, sinkSideEffects } from './all.ts'
import { deleteStreams, provisionStreams } from '../bus/index.ts'
import { runSink, sinkIsActive, SinkHalted } from './sink.ts'
import { openHarness, type Harness } from '../test/harness.ts'

const register = (name: string) => ({
  type: 'RegisterTarget' as const,
  targetId: crypto.randomUUID(),
  name,
  address: '10.0.0.1',
  connection: 'SSH' as const,
  tags: [],
  at: new Date().toISOString()
})

/** Runs a sink until it stops by itself (it only does so when it halts) or `ms` pass. */
const sinkOutcome = async (h: Harness, ms: number, batchMax?: number): Promise<unknown> => {
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(), ms)
  try {
    await runSink({
      databaseUrl: h.databaseUrl, eventLog: h.platform.eventLog, projections: inlineProjections, sideEffects: sinkSideEffects, log: () => undefined, signal: controller.signal,
      ...(batchMax ? { batchMax } : {})
    })
    return 'kept running'
  } catch (error) {
    return error
  } finally {
    clearTimeout(timer)
  }
}

let h: Harness
beforeAll(async () => {
  h = await openHarness({ sink: false })
})
afterAll(async () => {
  await h?.close()
})

describe('Sink against a store that disagrees with the bus', () => {
  it('halts loudly, writes nothing, when a stored position holds another message', async () => {
    const first = await h.run(h.platform, targets, register('halt-a'), { awaitCommittedMs: 0 })
    const second = await h.run(h.platform, targets, register('halt-b'), { awaitCommittedMs: 0 })
    if (first._tag !== 'Success' || second._tag !== 'Success') throw new Error('commands failed')
    // Let a sink store both, then pretend the log was rewritten under the stored copy.
    await sinkUntilStored(h, second.success.position)
    await h.platform.pool.query("UPDATE events SET message_id = 'someone-else' WHERE position = $1", [second.success.position])
    await h.platform.pool.query("UPDATE checkpoints SET position = $1 WHERE name = 'sink'", [first.success.position])
    const before = await h.platform.pool.query('SELECT count(*)::int AS n FROM targets')

    const outcome = await sinkOutcome(h, 10_000)
    expect(outcome).toBeInstanceOf(SinkHalted)
    expect((outcome as Error).message).toContain(`position ${second.success.position} already holds message someone-else`)
    const after = await h.platform.pool.query('SELECT count(*)::int AS n FROM targets')
    expect(after.rows[0].n).toBe(before.rows[0].n)
    const { rows } = await h.platform.pool.query("SELECT position FROM checkpoints WHERE name = 'sink'")
    expect(rows[0].position).toBe(first.success.position)
  })

  it('halts when the events are stored but the checkpoint is behind them', async () => {
    await h.platform.pool.query("UPDATE events SET message_id = $1 WHERE message_id = 'someone-else'", [await messageIdOnBus(h)])
    const outcome = await sinkOutcome(h, 10_000)
    expect(outcome).toBeInstanceOf(SinkHalted)
    expect((outcome as Error).message).toMatch(/already stored although the checkpoint is behind them/)
  })

  it('halts and lets go of its lock also when the bus reader waits on a full queue', async () => {
    // With batches of one message the reader's queue holds ten: thirty more messages fill it
    // while the first batch fails.
    for (let i = 0; i < 30; i++) await h.run(h.platform, targets, register(`halt-more-${i}`), { awaitCommittedMs: 0 })
    const outcome = await Promise.race([sinkOutcome(h, 10_000, 1), new Promise((r) => setTimeout(() => r('hung'), 20_000))])
    expect(outcome).toBeInstanceOf(SinkHalted)
    expect(await sinkIsActive(h.platform.pool)).toBe(false)
  })
})

const sinkUntilStored = async (h: Harness, position: number) => {
  const controller = new AbortController()
  const running = runSink({ databaseUrl: h.databaseUrl, eventLog: h.platform.eventLog, projections: inlineProjections, sideEffects: sinkSideEffects, log: () => undefined, signal: controller.signal })
  const deadline = Date.now() + 10_000
  for (;;) {
    const { rows } = await h.platform.pool.query("SELECT position FROM checkpoints WHERE name = 'sink'")
    if ((rows[0]?.position ?? 0) >= position) break
    if (Date.now() > deadline) throw new Error('sink did not store the events')
    await new Promise((r) => setTimeout(r, 20))
  }
  controller.abort()
  await running
}

/** The real message id of the newest message on the bus (what the rewritten row should have held). */
const messageIdOnBus = async (h: Harness): Promise<string> => {
  const { rows } = await h.platform.pool.query("SELECT stream FROM events WHERE message_id = 'someone-else'")
  const [kind, ...id] = (rows[0].stream as string).split('-')
  const last = await h.platform.eventLog.lastOnSubject(h.platform.eventLog.names.eventSubject(kind!, id.join('-')))
  return last!.msgId
}

/** A platform of its own, for a test that leaves its bus or store unusable for the others. */
const ownPlatform = (): (() => Harness) => {
  let own: Harness | undefined
  beforeAll(async () => {
    own = await openHarness({ sink: false })
  })
  afterAll(async () => {
    await own?.close()
  })
  return () => own!
}

describe('Sink given data PostgreSQL refuses', () => {
  const platform = ownPlatform()

  it('halts naming the positions instead of retrying the same batch forever', async () => {
    const poisoned = platform()
    // The command handler refuses such text; this message comes from something else on the bus.
    const targetId = crypto.randomUUID()
    const log = poisoned.platform.eventLog
    const meta = { actor: { kind: 'system', id: 'test', name: 'test' }, commandId: 'poison', correlationId: 'poison', causationId: null, occurredAt: new Date().toISOString(), schemaVersion: 1 }
    const data = { targetId, name: 'poison\u0000', address: '10.0.0.1', port: null, connection: 'SSH', credentialId: null, tags: [], attributes: {} }
    const batch = { stream: `target-${targetId}`, events: [{ id: crypto.randomUUID(), type: 'TargetRegistered', data }], meta }
    const ack = await log.append(log.names.eventSubject('target', targetId), new TextEncoder().encode(JSON.stringify(batch)), { msgId: 'poison', expectedLastSubjectSequence: 0, headers: {} })
    const outcome = await sinkOutcome(poisoned, 10_000)
    expect(outcome).toBeInstanceOf(SinkHalted)
    expect((outcome as Error).message).toContain(`..${ack.seq} (22`)
    expect(await sinkIsActive(poisoned.platform.pool)).toBe(false)
  })
})

describe('Sink over a recreated stream', () => {
  const platform = ownPlatform()

  it('halts instead of following the new stream from the old checkpoint', async () => {
    const recreated = platform()
    for (let i = 0; i < 3; i++) await recreated.run(recreated.platform, targets, register(`before-${i}`), { awaitCommittedMs: 0 })
    await sinkUntilStored(recreated, await recreated.platform.eventLog.lastSequence())
    // The events stream is lost and provisioned again: its sequences start over at 1.
    const { nc, eventLog } = recreated.platform
    await deleteStreams(nc, eventLog.names)
    await provisionStreams(nc, eventLog.names, { replicas: 1, logsMaxBytes: 64 * 1024 ** 2, logsMaxAgeSeconds: 3600 })
    for (let i = 0; i < 5; i++) await recreated.run(recreated.platform, targets, register(`after-${i}`), { awaitCommittedMs: 0 })
    const outcome = await sinkOutcome(recreated, 10_000)
    expect(outcome).toBeInstanceOf(SinkHalted)
    expect((outcome as Error).message).toMatch(/position 3 holds message .* in PostgreSQL but .* on the bus: the stream was recreated or rewritten/)
  })
})
