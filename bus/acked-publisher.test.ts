import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openHarness, type Harness } from '../test/harness.ts'
import { AckedPublisher, PublishRefused } from './acked-publisher.ts'
import { WrongLastSequence } from './event-log.ts'

let h: Harness
beforeAll(async () => {
  h = await openHarness({ sink: false })
})
afterAll(async () => {
  await h?.close()
})

const body = new TextEncoder().encode('{}')

describe('Publishing with acknowledgement', () => {
  it('answers with the sequence, recognises a re-sent id, and refuses a wrong expectation', async () => {
    const log = h.platform.eventLog
    const subject = log.names.eventSubject('probe', crypto.randomUUID())
    const first = await log.append(subject, body, { msgId: 'probe-1', expectedLastSubjectSequence: 0, headers: {} })
    expect(first.duplicate).toBe(false)
    expect(await log.append(subject, body, { msgId: 'probe-1', expectedLastSubjectSequence: 0, headers: {} })).toEqual({ seq: first.seq, duplicate: true })
    await expect(log.append(subject, body, { msgId: 'probe-2', expectedLastSubjectSequence: 0, headers: {} })).rejects.toBeInstanceOf(WrongLastSequence)
    expect((await log.append(subject, body, { msgId: 'probe-2', expectedLastSubjectSequence: first.seq, headers: {} })).seq).toBeGreaterThan(first.seq)
  })

  it('fails at once when no stream stores the subject', async () => {
    const publisher = new AckedPublisher(h.platform.nc, 10_000)
    const started = Date.now()
    const refused = await publisher.publish(`nostream.${crypto.randomUUID()}`, body, {}).catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(PublishRefused)
    expect((refused as PublishRefused).code).toBe(503)
    expect(Date.now() - started).toBeLessThan(2_000)
    publisher.close()
  })

  it('gives up after its deadline when nothing acknowledges, and rejects answers that are not acknowledgements', async () => {
    const silent = `silent.${crypto.randomUUID()}`
    const chatty = `chatty.${crypto.randomUUID()}`
    const subscriptions = [
      h.platform.nc.subscribe(silent, { callback: () => undefined }),
      h.platform.nc.subscribe(chatty, { callback: (_e, m) => void m.respond(new TextEncoder().encode('hello')) })
    ]
    await h.platform.nc.flush()
    const publisher = new AckedPublisher(h.platform.nc, 300)
    await expect(publisher.publish(silent, body, {})).rejects.toThrow(/did not acknowledge within 300 ms/)
    await expect(publisher.publish(chatty, body, {})).rejects.toThrow(/not an acknowledgement/)
    publisher.close()
    for (const s of subscriptions) s.unsubscribe()
  })
})
