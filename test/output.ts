import { outputLastPosition } from '../bus/index.ts'
import { readOutput } from '../projections/output-store.ts'
import type { Harness } from './harness.ts'

/**
 * A target run's stored output, once the output copier has caught up with everything published
 * so far (the copy into PostgreSQL trails the live stream by a few milliseconds).
 */
export const storedOutput = async (h: Harness, executionId: string, targetId: string, attempt?: number): Promise<string> => {
  const target = await outputLastPosition(h.platform.nc, h.platform.eventLog.names)
  const deadline = Date.now() + 15_000
  for (;;) {
    const { rows } = await h.platform.pool.query<{ position: number }>("SELECT position FROM checkpoints WHERE name = 'output'")
    if ((rows[0]?.position ?? 0) >= target) break
    if (Date.now() > deadline) throw new Error(`output copy stuck at ${rows[0]?.position ?? 0} of ${target}`)
    await new Promise((r) => setTimeout(r, 20))
  }
  const chunks = await readOutput(h.platform.pool, executionId, targetId, { maxBytes: 100_000_000, ...(attempt ? { attempt } : {}) })
  return Buffer.concat(chunks.map((c) => c.data)).toString('utf8')
}
