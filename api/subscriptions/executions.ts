import { followOutput } from '../../bus/index.ts'
import { executionsByIds, type ExecutionView } from '../../projections/queries/executions.ts'
import { readOutput, type StoredChunk } from '../../projections/output-store.ts'
import type { ApiContext } from '../graphql/context.ts'
import { notFound } from '../graphql/errors.ts'
import { uuidArg } from '../graphql/resolve.ts'
import { eventFeedFor } from './feed.ts'

const FINISHED = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED'])
// Changes closer together than this are sent as one update: a 10,000-target run moves fast.
const COALESCE_MS = 100

/**
 * executionUpdated: the execution now, then after every committed change to its stream; ends
 * after the finished state. The feed subscription starts before the first read, so no change
 * between the two is missed.
 */
export async function* executionUpdatedSubscription(_: unknown, args: { id: string }, ctx: ApiContext): AsyncGenerator<ExecutionView> {
  const id = uuidArg(args.id, 'id')
  const stream = `execution-${id}`
  const feed = eventFeedFor(ctx.platform).subscribe({ types: ['Execution*', 'TargetRun*', 'Step*', 'FailurePolicyTriggered'], after: null })
  let dirty = false
  let ended = false
  let wake: (() => void) | undefined
  const pump = (async () => {
    for await (const entry of feed) {
      if (entry.stream !== stream) continue
      dirty = true
      wake?.()
    }
  })().finally(() => {
    ended = true
    wake?.()
  })
  const load = async () => {
    const [row] = await executionsByIds(ctx.platform.pool, [id])
    if (!row) throw notFound('execution', id)
    return row
  }
  try {
    let current = await load()
    yield current
    while (!FINISHED.has(current.status) && !ended) {
      if (!dirty) await new Promise<void>((resolve) => (wake = resolve))
      wake = undefined
      if (!dirty) continue
      await new Promise((resolve) => setTimeout(resolve, COALESCE_MS))
      dirty = false
      current = await load()
      yield current
    }
  } finally {
    await feed.return?.()
    await pump.catch(() => undefined)
  }
}

export interface OutputChunkView {
  readonly executionId: string
  readonly targetId: string
  readonly attempt: number
  readonly seq: number
  readonly stepIndex: number
  readonly stream: 'STDOUT' | 'STDERR'
  readonly text: string
}

export const toOutputChunk = (executionId: string, targetId: string, c: Omit<StoredChunk, 'position'>, text?: string): OutputChunkView => ({
  executionId,
  targetId,
  attempt: c.attempt,
  seq: c.seq,
  stepIndex: c.stepIndex,
  stream: c.stream === 'stderr' ? 'STDERR' : 'STDOUT',
  text: text ?? c.data.toString('utf8')
})

/**
 * executionOutput: what PostgreSQL already holds after `after`, then live from the bus from the
 * position after the last stored chunk. Chunks are numbered per attempt, so the switch-over
 * drops what was already sent and a new attempt starts over from its first chunk.
 */
export async function* executionOutputSubscription(
  _: unknown,
  args: { executionId: string; targetId: string; after?: number | null },
  ctx: ApiContext
): AsyncGenerator<OutputChunkView> {
  const executionId = uuidArg(args.executionId, 'executionId')
  const targetId = uuidArg(args.targetId, 'targetId')
  let attempt: number | null = null
  let lastSeq = Math.max(0, args.after ?? 0)
  let lastPosition = 0
  // A multi-byte character may straddle two chunks: decode each stream as a stream.
  const decoders = { stdout: new TextDecoder(), stderr: new TextDecoder() }
  const text = (stream: 'stdout' | 'stderr', data: Uint8Array) => decoders[stream].decode(data, { stream: true })
  for (;;) {
    const page = await readOutput(ctx.platform.pool, executionId, targetId, { afterSeq: lastSeq, maxBytes: 1024 * 1024 })
    if (page.length === 0) break
    for (const c of page) {
      attempt = c.attempt
      lastSeq = c.seq
      lastPosition = Math.max(lastPosition, c.position)
      yield toOutputChunk(executionId, targetId, c, text(c.stream, c.data))
    }
  }
  const stop = new AbortController()
  try {
    const live = followOutput(ctx.platform.nc, ctx.platform.eventLog.names, { executionId, targetId, fromPosition: lastPosition + 1 }, stop.signal)
    for await (const c of live) {
      if (attempt !== null && c.attempt < attempt) continue
      if (c.attempt === attempt && c.seq <= lastSeq) continue
      if (c.attempt !== attempt) {
        attempt = c.attempt
        lastSeq = 0
      }
      lastSeq = c.seq
      yield toOutputChunk(executionId, targetId, { ...c, data: Buffer.from(c.data) }, text(c.stream, c.data))
    }
  } finally {
    stop.abort()
  }
}
