import type { RecordedEvent } from '../domains/shared/index.ts'
import { connectClient, tryAdvisoryLock, type Client } from './db.ts'
import { COMMITTED_CHANNEL, parseCommittedNotice } from './sink.ts'
import { pause } from './wait.ts'

export interface ReactorOptions {
  /** Checkpoint name; also what the logs call it. */
  readonly name: string
  /** Advisory lock id: one active instance per reactor, the others wait as standby. */
  readonly lockId: number
  readonly types: ReadonlyArray<string>
  readonly databaseUrl: string
  /** Acts on committed events, in order. Must be idempotent: after a crash a batch may come again. */
  readonly handle: (events: ReadonlyArray<RecordedEvent>) => Promise<void>
  readonly log: (message: string) => void
  readonly signal: AbortSignal
  readonly batch?: number
}

/**
 * Runs a reactor: reads committed events of the given types after its checkpoint, hands them
 * over, then advances the checkpoint — at-least-once, in order. Wakes on the sink's NOTIFY when
 * the batch held one of its types (others cost no query), and polls once a second in case a
 * notification was missed.
 */
export const runReactor = async (o: ReactorOptions): Promise<void> => {
  while (!o.signal.aborted) {
    let client: Client | undefined
    try {
      client = await connectClient(o.databaseUrl, `opsconductor-${o.name}`)
      client.on('error', () => undefined)
      if (!(await tryAdvisoryLock(client, o.lockId))) {
        await client.end().catch(() => undefined)
        await pause(1_000, o.signal)
        continue
      }
      await react(client, o)
    } catch (error) {
      if (o.signal.aborted) break
      o.log(`${o.name}: ${error instanceof Error ? error.message : String(error)}; restarting from the checkpoint`)
      await pause(1_000, o.signal)
    } finally {
      await client?.end().catch(() => undefined)
    }
  }
}

const react = async (client: Client, o: ReactorOptions) => {
  let wake: (() => void) | undefined
  // Set by a relevant notification that arrives while a query is running, so it is not lost.
  let pending = false
  client.on('notification', (n) => {
    const { types } = parseCommittedNotice(n.payload)
    if (types !== null && !o.types.some((t) => types.has(t))) return
    pending = true
    wake?.()
  })
  await client.query(`LISTEN ${COMMITTED_CHANNEL}`)
  const { rows } = await client.query<{ position: number }>('SELECT position FROM checkpoints WHERE name = $1', [o.name])
  let position = rows[0]?.position ?? 0
  while (!o.signal.aborted) {
    pending = false
    const found = await client.query<{ position: number; idx: number; id: string; stream: string; type: string; data: unknown; meta: RecordedEvent['meta'] }>(
      // Paged by whole positions, so the events of one message are never split across pages.
      `WITH page AS (
         SELECT DISTINCT position FROM events
         WHERE position > $1 AND type = ANY($2::text[]) AND position <= (SELECT position FROM checkpoints WHERE name = 'sink')
         ORDER BY position LIMIT $3
       )
       SELECT position, idx, id, stream, type, data, meta FROM events
       WHERE position IN (SELECT position FROM page) AND type = ANY($2::text[])
       ORDER BY position, idx`,
      [position, o.types, o.batch ?? 500]
    )
    if (found.rows.length > 0) {
      const events = found.rows.map((r) => ({ id: r.id, type: r.type, data: r.data, stream: r.stream, meta: r.meta, position: r.position, index: r.idx }))
      await o.handle(events)
      position = events[events.length - 1]!.position
      await client.query(
        `INSERT INTO checkpoints (name, position, updated_at) VALUES ($1, $2, now())
         ON CONFLICT (name) DO UPDATE SET position = EXCLUDED.position, updated_at = now()`,
        [o.name, position]
      )
      continue
    }
    if (!pending) await pause(1_000, o.signal, (resume) => (wake = resume))
    wake = undefined
  }
}
