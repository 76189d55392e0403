import type { OutputChunkMessage } from '../bus/index.ts'
import type { Queryable } from './projection.ts'

export const OUTPUT_CHECKPOINT = 'output'

/** Stores chunks and advances the output checkpoint; call inside one transaction. */
export const storeOutputChunks = async (db: Queryable, chunks: ReadonlyArray<OutputChunkMessage & { position: number }>): Promise<void> => {
  if (chunks.length === 0) return
  await db.query(
    `INSERT INTO execution_output (execution_id, target_id, attempt, seq, stream, step_index, data, position)
     SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::int[], $4::int[], $5::text[], $6::int[], $7::bytea[], $8::bigint[])
     ON CONFLICT DO NOTHING`,
    [
      chunks.map((c) => c.executionId),
      chunks.map((c) => c.targetId),
      chunks.map((c) => c.attempt),
      chunks.map((c) => c.seq),
      chunks.map((c) => c.stream),
      chunks.map((c) => c.stepIndex),
      chunks.map((c) => Buffer.from(c.data.buffer, c.data.byteOffset, c.data.byteLength)),
      chunks.map((c) => c.position)
    ]
  )
  await db.query(
    `INSERT INTO checkpoints (name, position, updated_at) VALUES ($1, $2, now())
     ON CONFLICT (name) DO UPDATE SET position = GREATEST(checkpoints.position, EXCLUDED.position), updated_at = now()`,
    [OUTPUT_CHECKPOINT, chunks[chunks.length - 1]!.position]
  )
}

export interface StoredChunk {
  readonly attempt: number
  readonly seq: number
  readonly stream: 'stdout' | 'stderr'
  readonly stepIndex: number
  readonly data: Buffer
  readonly position: number
}

/**
 * One target run's output in order (latest attempt unless given), from `afterSeq`, at most
 * `maxBytes` (whole chunks): pages for viewers and downloads never load a 20 MB log at once.
 */
export const readOutput = async (
  db: Queryable,
  executionId: string,
  targetId: string,
  options: { readonly attempt?: number; readonly afterSeq?: number; readonly maxBytes: number }
): Promise<StoredChunk[]> => {
  const { rows } = await db.query(
    `WITH run AS (
       SELECT COALESCE($3::int, (SELECT max(attempt) FROM execution_output WHERE execution_id = $1 AND target_id = $2)) AS attempt
     ), page AS (
       SELECT o.attempt, o.seq, o.stream, o.step_index, o.data, o.position,
              sum(octet_length(o.data)) OVER (ORDER BY o.seq) AS running
       FROM execution_output o, run
       WHERE o.execution_id = $1 AND o.target_id = $2 AND o.attempt = run.attempt AND o.seq > $4
       ORDER BY o.seq
       LIMIT 2000
     )
     SELECT attempt, seq, stream, step_index, data, position FROM page
     WHERE running - octet_length(data) < $5
     ORDER BY seq`,
    [executionId, targetId, options.attempt ?? null, options.afterSeq ?? 0, options.maxBytes]
  )
  return rows.map((r) => {
    const row = r as { attempt: number; seq: number; stream: string; step_index: number; data: Buffer; position: number }
    return { attempt: row.attempt, seq: row.seq, stream: row.stream === 'stderr' ? 'stderr' : 'stdout', stepIndex: row.step_index, data: row.data, position: row.position }
  })
}

/** Total stored bytes of a target run (latest attempt), to tell a viewer what it has not loaded. */
export const outputSize = async (db: Queryable, executionId: string, targetId: string): Promise<number> => {
  const { rows } = await db.query(
    `SELECT COALESCE(sum(octet_length(data)), 0)::bigint AS bytes FROM execution_output
     WHERE execution_id = $1 AND target_id = $2
       AND attempt = (SELECT max(attempt) FROM execution_output WHERE execution_id = $1 AND target_id = $2)`,
    [executionId, targetId]
  )
  return (rows[0] as { bytes: number }).bytes
}
