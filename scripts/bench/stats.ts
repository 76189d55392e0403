/** Percentile of a sample (nearest rank). */
export const percentile = (sorted: ReadonlyArray<number>, p: number): number =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!

/** Runs `task(i)` for i in [0, total) with `concurrency` workers; returns seconds and per-task latencies (ms). */
export const runPool = async (total: number, concurrency: number, task: (i: number) => Promise<void>) => {
  const latencies: number[] = []
  let next = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++
        const t = performance.now()
        await task(i)
        latencies.push(performance.now() - t)
      }
    })
  )
  const seconds = (performance.now() - started) / 1000
  latencies.sort((a, b) => a - b)
  return { seconds, rate: total / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) }
}

export const round = (n: number, digits = 0): number => Number(n.toFixed(digits))
