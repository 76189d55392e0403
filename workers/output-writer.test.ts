import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openHarness, type Harness } from '../test/harness.ts'
import { createOutputWriter } from './output-writer.ts'

let h: Harness
beforeAll(async () => {
  h = await openHarness({ sink: false })
})
afterAll(async () => {
  await h?.close()
})

describe('Output writer', () => {
  it('asks the step to wait while megabytes of output are unacknowledged, and lets it go on once they are', async () => {
    const run = { executionId: crypto.randomUUID(), targetId: crypto.randomUUID(), attempt: 1 }
    const writer = createOutputWriter(h.platform.nc, h.platform.eventLog.names, run, (error) => {
      throw error
    })
    const piece = Buffer.alloc(32 * 1024, 'x')
    let wait: Promise<void> | null = null
    let written = 0
    // Written in one go, as a fast step prints: nothing is acknowledged yet when the limit is reached.
    while (!wait && written < 64 * 1024 * 1024) {
      writer.write({ stream: 'stdout', data: piece }, 0)
      written += piece.length
      wait = writer.pressure()
    }
    expect(wait).not.toBeNull()
    expect(written).toBeLessThanOrEqual(9 * 1024 * 1024)
    await wait
    expect(writer.pressure()).toBeNull()
    await writer.flush()
  })
})
