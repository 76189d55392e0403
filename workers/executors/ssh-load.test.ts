import { afterAll, describe, expect, it } from 'vitest'
import { createSshExecutor } from './ssh-executor.ts'
import { command, openOptions, passwordSecret, sshTarget } from './testing.ts'
import type { StepResult } from './types.ts'

const executor = createSshExecutor()
afterAll(() => executor.close())

/** Runs `work` over `items` with at most `parallel` at a time. */
async function inParallel<T>(items: T[], parallel: number, work: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items]
  await Promise.all(Array.from({ length: parallel }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item)
  }))
}

const X = Buffer.alloc(1 << 20, 'x')
const onlyX = (data: Buffer): boolean => {
  for (let at = 0; at < data.length; at += X.length) {
    const part = data.subarray(at, at + X.length)
    if (!part.equals(X.subarray(0, part.length))) return false
  }
  return true
}

describe('SSH executor under load', () => {
  it('streams a 20 MB output completely with bounded memory', async () => {
    const s = await executor.open(sshTarget(), passwordSecret(), openOptions())
    // Buffers live outside the JS heap, so count them too.
    const used = () => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers
    const baseline = used()
    let peak = baseline
    let bytes = 0
    let chunks = 0
    let foreign = 0
    const started = Date.now()
    const r: StepResult = await s.runStep(command("head -c 20000000 /dev/zero | tr '\\0' x"), {
      signal: new AbortController().signal,
      onOutput(chunk) {
        bytes += chunk.data.length
        chunks += 1
        if (!onlyX(chunk.data)) foreign += 1 // checked without keeping the chunk
        if (chunks % 32 === 0) peak = Math.max(peak, used())
      }
    })
    peak = Math.max(peak, used())
    console.log(`20 MB over SSH: ${Date.now() - started} ms, ${chunks} chunks, heap + buffers growth ${((peak - baseline) / 1e6).toFixed(1)} MB`)
    expect(r).toMatchObject({ exitCode: 0, outputBytes: 20_000_000 })
    expect(bytes).toBe(20_000_000)
    expect(foreign).toBe(0)
    expect(peak - baseline).toBeLessThan(60e6)
    await s.close()
  })

  it('runs 3 steps on each of 50 targets, 10 at a time, with the right output per target', async () => {
    const targets = Array.from({ length: 50 }, (_, i) => i)
    const results = new Map<number, string[]>()
    const connectsBefore = executor.pool.stats().connects

    const round = async () => {
      const started = Date.now()
      await inParallel(targets, 10, async (i) => {
        const s = await executor.open(sshTarget({ targetId: `load-${i}`, name: `load-${i}` }), passwordSecret(), openOptions())
        const outputs: string[] = []
        for (let step = 0; step < 3; step++) {
          let out = ''
          const r = await s.runStep(command(`echo target-${i} step-${step}`), {
            signal: new AbortController().signal,
            onOutput: (c) => (out += c.data.toString())
          })
          expect(r).toMatchObject({ exitCode: 0, error: null })
          outputs.push(out)
        }
        results.set(i, outputs)
        await s.close()
      })
      return Date.now() - started
    }

    const fresh = await round()
    const pooled = await round()
    console.log(
      `50 targets x 3 steps, parallelism 10: ${fresh} ms with new connections (${(50_000 / fresh).toFixed(1)} targets/s), ` +
      `${pooled} ms over pooled ones (${(150_000 / pooled).toFixed(0)} commands/s)`
    )
    for (const i of targets) expect(results.get(i)).toEqual([0, 1, 2].map((step) => `target-${i} step-${step}\n`))
    expect(executor.pool.stats().connects - connectsBefore).toBe(50) // the second round reused them all
  })
})
