import type { FastifyInstance } from 'fastify'
import { isUuid } from '../domains/shared/index.ts'
import type { Pool } from '../projections/db.ts'
import { outputSize, readOutput } from '../projections/output-store.ts'
import type { Authenticate } from './audit-export.ts'

const PAGE_BYTES = 1024 * 1024

export const downloadPath = (executionId: string, targetId: string) => `/executions/${executionId}/targets/${targetId}/output`

/** The largest `maxBytes` one output field or page accepts. */
export const MAX_FIELD_BYTES = 10 * 1024 * 1024

/** Job output one GraphQL answer may carry over all its `TargetRun.output` fields. */
export const OUTPUT_BYTES_PER_ANSWER = 16 * 1024 * 1024

/**
 * The output bytes left for one answer. A query's worst case (1,000 target runs × 64 KiB by
 * default) is far above what an answer should carry, but typical runs print little, so the
 * limit is applied to what is actually read rather than refusing the query up front.
 */
export class OutputBudget {
  #left: number
  constructor(readonly size = OUTPUT_BYTES_PER_ANSWER) {
    this.#left = size
  }
  /** Up to `wanted` bytes, taken now so that previews resolved concurrently cannot overdraw. */
  take(wanted: number): number {
    const granted = Math.max(0, Math.min(wanted, this.#left))
    this.#left -= granted
    return granted
  }
  giveBack(unused: number): void {
    this.#left += unused
  }
}

const cutMarker = (left: number, executionId: string, targetId: string, why: string) =>
  `[… ${left} more bytes not shown${why}; the whole log: GET ${downloadPath(executionId, targetId)}]\n`

/**
 * `TargetRun.output`: the start of the log, at most maxBytes and what the answer's budget has
 * left, with a marker line when it was cut.
 */
export const runOutputPreview = async (
  db: Pool,
  executionId: string,
  targetId: string,
  maxBytes: number,
  budget: OutputBudget
): Promise<string | null> => {
  const granted = budget.take(maxBytes)
  if (granted === 0) {
    const total = await outputSize(db, executionId, targetId)
    return total === 0 ? null : cutMarker(total, executionId, targetId, ` (this answer already carries its ${budget.size} bytes of output)`)
  }
  const chunks = await readOutput(db, executionId, targetId, { maxBytes: granted })
  const shown = Buffer.concat(chunks.map((c) => c.data)).subarray(0, granted)
  budget.giveBack(granted - shown.length)
  if (chunks.length === 0) return null
  const total = await outputSize(db, executionId, targetId)
  if (total <= shown.length) return shown.toString('utf8')
  const why = granted < maxBytes ? ` (this answer reached its ${budget.size} bytes of output)` : ''
  return `${shown.toString('utf8')}\n${cutMarker(total - shown.length, executionId, targetId, why)}`
}

const parseRange = (header: string | undefined, size: number): { start: number; end: number } | 'invalid' | null => {
  if (!header) return null
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim())
  if (!m || (m[1] === '' && m[2] === '')) return 'invalid'
  const start = m[1] === '' ? Math.max(0, size - Number(m[2])) : Number(m[1])
  const end = m[1] === '' || m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1)
  return start > end || start >= size ? 'invalid' : { start, end }
}

/**
 * GET /executions/:executionId/targets/:targetId/output — the whole log of a target run (latest
 * attempt) as text, streamed page by page from PostgreSQL, with single byte ranges (resume a
 * download, or read the tail of a 20 MB log). Any authenticated caller (VIEWER and up).
 */
export const registerExecutionOutput = (app: FastifyInstance, deps: { readonly db: Pool; readonly authenticate: Authenticate }): void => {
  app.get<{ Params: { executionId: string; targetId: string } }>('/executions/:executionId/targets/:targetId/output', async (request, reply) => {
    const principal = await deps.authenticate(request.headers.authorization)
    if (!principal) return reply.code(401).send({ error: 'UNAUTHENTICATED', message: 'a valid Bearer token is required' })
    const { executionId, targetId } = request.params
    if (!isUuid(executionId) || !isUuid(targetId)) return reply.code(400).send({ error: 'BAD_USER_INPUT', message: 'executionId and targetId must be UUIDs' })
    const size = await outputSize(deps.db, executionId, targetId)
    const range = parseRange(request.headers.range, size)
    if (range === 'invalid') return reply.code(416).header('content-range', `bytes */${size}`).send()
    const start = range?.start ?? 0
    const end = range?.end ?? size - 1
    reply
      .code(range ? 206 : 200)
      .header('content-type', 'text/plain; charset=utf-8')
      .header('accept-ranges', 'bytes')
      // The reply is written by hand below, past the hooks that set security headers.
      .header('x-content-type-options', 'nosniff')
      .header('content-disposition', `attachment; filename="output-${executionId}-${targetId}.log"`)
      .header('content-length', String(Math.max(0, end - start + 1)))
    if (range) reply.header('content-range', `bytes ${start}-${end}/${size}`)
    reply.hijack()
    const out = reply.raw
    out.writeHead(reply.statusCode, reply.getHeaders() as Record<string, string>)
    let offset = 0
    let afterSeq = 0
    try {
      while (offset <= end) {
        const page = await readOutput(deps.db, executionId, targetId, { afterSeq, maxBytes: PAGE_BYTES })
        if (page.length === 0) break
        for (const c of page) {
          const from = Math.max(start - offset, 0)
          const to = Math.min(end - offset + 1, c.data.length)
          if (from < to && !out.write(c.data.subarray(from, to))) await new Promise((r) => out.once('drain', r))
          offset += c.data.length
          afterSeq = c.seq
          if (offset > end) break
        }
      }
    } finally {
      out.end()
    }
  })
}
