import type { Harness } from './harness.ts'

const FINISHED = ['SUCCEEDED', 'FAILED', 'CANCELLED']

/** Polls the executions projection until the execution has finished; returns its status. */
export const waitForEnd = async (h: Harness, executionId: string, timeoutMs = 60_000): Promise<string> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const { rows } = await h.platform.pool.query<{ status: string }>('SELECT status FROM executions WHERE id = $1', [executionId])
    const status = rows[0]?.status
    if (status && FINISHED.includes(status)) return status
    if (Date.now() > deadline) throw new Error(`execution ${executionId} still ${status} after ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 25))
  }
}
