import type { EventLog } from '../bus/index.ts'
import type { RecordedEvent } from '../domains/shared/index.ts'
import { chainHash, GENESIS_HASH } from './canonical.ts'
import { connectClient, tryAdvisoryLock, type Client } from './db.ts'
import { MalformedEventMessage, recordedEvents } from './event-store.ts'
import { pause } from './wait.ts'
import { jsonLiteral, planProjection, quote, textLiteral, type DocumentProjection, type Queryable, type Row } from './projection.ts'

/** The stored log disagrees with the bus: never overwrite, stop and make noise. */
export class SinkHalted extends Error {
  readonly _tag = 'SinkHalted'
}

export interface SinkOptions {
  readonly databaseUrl: string
  readonly eventLog: EventLog
  readonly projections: ReadonlyArray<DocumentProjection>
  /** Extra inline statements for the batch transaction (e.g. shredding credential keys). */
  readonly sideEffects?: ReadonlyArray<(events: ReadonlyArray<RecordedEvent>) => string[]>
  readonly batchMax?: number
  readonly log: (message: string) => void
  readonly signal: AbortSignal
  /** Called after each committed batch with the new checkpoint and the batch's events, in order. */
  readonly onCommitted?: (position: number, events: ReadonlyArray<RecordedEvent>) => void
}

export const SINK_CHECKPOINT = 'sink'
// Held on the sink's own connection for as long as it is the active sink.
const SINK_LOCK = 7_311_002
export const COMMITTED_CHANNEL = 'ops_committed'

/**
 * Runs the sink until aborted: waits as standby until it holds the advisory lock, then copies the
 * events stream into PostgreSQL in order, one transaction per batch (events + inline
 * projections + checkpoint), then notifies `ops_committed`. Any failure other than a halt drops
 * the connection (and so the lock) and starts over from the stored checkpoint.
 */
export const runSink = async (options: SinkOptions): Promise<void> => {
  let announcedStandby = false
  while (!options.signal.aborted) {
    let client: Client | undefined
    try {
      client = await connectClient(options.databaseUrl, 'opsconductor-sink')
      client.on('error', () => undefined) // surfaced by the next query instead
      if (!(await tryAdvisoryLock(client, SINK_LOCK))) {
        if (!announcedStandby) options.log('sink: another sink is active; waiting as standby')
        announcedStandby = true
        await client.end().catch(() => undefined)
        await pause(500, options.signal)
        continue
      }
      announcedStandby = false
      await copyStream(client, options)
    } catch (error) {
      if (error instanceof SinkHalted) throw error
      if (error instanceof MalformedEventMessage) throw new SinkHalted(`${error.message}: something other than OpsConductor wrote to the events stream`)
      if (options.signal.aborted) break
      options.log(`sink: ${error instanceof Error ? error.message : String(error)}; restarting from the checkpoint`)
      await pause(1_000, options.signal)
    } finally {
      await client?.end().catch(() => undefined)
    }
  }
}

/** A bus message decoded and chained, ready to be written. */
interface Prepared {
  readonly seq: number
  readonly msgId: string
  readonly events: ReadonlyArray<RecordedEvent>
  readonly hashes: ReadonlyArray<Buffer>
  /** Size of the bus message: the batch's SQL text grows with it. */
  readonly bytes: number
}

// A batch becomes one query text; PostgreSQL refuses texts near 1 GB, and long before that a
// huge transaction only delays every waiting caller. A single larger message still goes alone.
const BATCH_MAX_BYTES = 16 * 1024 * 1024

const copyStream = async (client: Client, options: SinkOptions): Promise<void> => {
  const checkpoint = await client.query<{ position: number; last_hash: Buffer | null }>(
    'SELECT position, last_hash FROM checkpoints WHERE name = $1',
    [SINK_CHECKPOINT]
  )
  const position = checkpoint.rows[0]?.position ?? 0
  let chain: Buffer = checkpoint.rows[0]?.last_hash ?? GENESIS_HASH
  await checkBusAgrees(client, options.eventLog, position)
  options.log(`sink: active from position ${position}`)
  const batchMax = options.batchMax ?? 1_000
  // Every batch locks every read model first, in the order a rebuild locks them: a batch that
  // read one table and then waited to write another could otherwise deadlock with a rebuild's swap.
  const tables = options.projections.map((p) => quote(p.table))
  const begin = ['BEGIN', ...(tables.length > 0 ? [`LOCK TABLE ${tables.join(', ')} IN ROW EXCLUSIVE MODE`] : [])]
  const inbox = new Inbox<Prepared>(batchMax * 10)
  const stop = new AbortController()
  const abort = () => stop.abort()
  options.signal.addEventListener('abort', abort, { once: true })
  // Reading, decoding and hashing overlap with writing: while one batch commits, the next one
  // gathers (group commit). The chain is extended here, in stream order; any failure restarts
  // the whole copy from the committed checkpoint and its hash.
  const pump = (async () => {
    for await (const m of options.eventLog.follow(position + 1, stop.signal)) {
      if (m.seq <= position) continue
      const events = recordedEvents(m.seq, m.data)
      const hashes = events.map((e) => (chain = chainHash(chain, e)))
      await inbox.put({ seq: m.seq, msgId: m.msgId, events, hashes, bytes: m.data.length })
    }
  })().then(() => inbox.close(), (e: unknown) => inbox.fail(e))
  try {
    for (;;) {
      const batch = await inbox.take(batchMax, BATCH_MAX_BYTES)
      if (batch === null) break
      const events = await commitBatch(client, batch, begin, options)
      options.onCommitted?.(batch[batch.length - 1]!.seq, events)
    }
  } finally {
    options.signal.removeEventListener('abort', abort)
    stop.abort()
    // A reader waiting for room in a full inbox sees neither the abort nor a taker any more.
    inbox.close()
    await pump
  }
}

/**
 * Writes one batch in at most two round trips: BEGIN with the reads some projections need, then
 * every write, the checkpoint, the notification and COMMIT as one multi-statement query. Each
 * socket write costs tens of microseconds on these machines, more than most of the statements.
 */
const commitBatch = async (client: Client, messages: ReadonlyArray<Prepared>, begin: ReadonlyArray<string>, options: SinkOptions): Promise<RecordedEvent[]> => {
  const events = messages.flatMap((m) => m.events)
  const hashes = messages.flatMap((m) => m.hashes)
  const msgIds = new Map(messages.map((m) => [m.seq, m.msgId]))
  const last = messages[messages.length - 1]!.seq
  const plans = options.projections.flatMap((p) => planProjection(p, events) ?? [])
  const reads = plans.filter((p) => p.sql !== null)
  const rowsOf = new Map<object, ReadonlyArray<Row>>()
  try {
    if (reads.length > 0) {
      const results = asResults(await client.query([...begin, ...reads.map((p) => p.sql)].join(';\n')))
      reads.forEach((p, i) => rowsOf.set(p, results[i + begin.length]!.rows as Row[]))
    }
    const statements = [
      ...(reads.length > 0 ? [] : begin),
      // No ON CONFLICT: a position already stored fails the whole transaction, explained below.
      `INSERT INTO events (position, idx, id, stream, type, data, meta, message_id, actor_id, occurred_at, hash)
       SELECT position, idx, id, stream, type, data, meta, message_id, actor_id, occurred_at, decode(hash, 'hex')
       FROM jsonb_to_recordset(${jsonLiteral(eventRows(events, hashes, msgIds))}) AS x(position bigint, idx smallint, id uuid, stream text,
         type text, data jsonb, meta jsonb, message_id text, actor_id text, occurred_at timestamptz, hash text)`,
      ...plans.flatMap((p) => p.writes(rowsOf.get(p) ?? [])),
      ...readModelVersions(plans.map((p) => p.table), last),
      ...(options.sideEffects ?? []).flatMap((effect) => effect(events)),
      `INSERT INTO checkpoints (name, position, last_hash, updated_at) VALUES (${textLiteral(SINK_CHECKPOINT)}, ${last}, decode('${hashes[hashes.length - 1]!.toString('hex')}', 'hex'), now())
       ON CONFLICT (name) DO UPDATE SET position = EXCLUDED.position, last_hash = EXCLUDED.last_hash, updated_at = now()`,
      `SELECT pg_notify(${textLiteral(COMMITTED_CHANNEL)}, ${textLiteral(committedNotice(last, events))})`,
      'COMMIT'
    ]
    await client.query(statements.join(';\n'))
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined)
    if (isUniqueViolation(error, 'events_')) await explainConflict(client, events, msgIds)
    // Data PostgreSQL refuses (class 22, a missing required value) would be refused again on
    // every retry: stop loudly, naming the messages, rather than retry the same batch forever.
    const code = (error as { code?: string }).code ?? ''
    if (code.startsWith('22') || code === '23502')
      throw new SinkHalted(`PostgreSQL refused the data of positions ${messages[0]!.seq}..${last} (${code}: ${(error as Error).message})`)
    throw error
  }
  return events
}

/** The checkpoint row that versions a read model: it moves whenever the sink changes the table. */
export const readModelVersionName = (table: string): string => `read-model:${table}`

/**
 * Each read model the batch changed gets the batch's position as its version, so readers can keep
 * derived answers (counts) exactly as long as the table is unchanged.
 */
const readModelVersions = (tables: ReadonlyArray<string>, position: number): string[] =>
  tables.length === 0
    ? []
    : [
        `INSERT INTO checkpoints (name, position, updated_at)
         SELECT t, ${position}, now() FROM unnest(ARRAY[${tables.map((t) => textLiteral(readModelVersionName(t))).join(',')}]::text[]) AS t
         ON CONFLICT (name) DO UPDATE SET position = EXCLUDED.position, updated_at = now()`
      ]

const eventRows = (events: ReadonlyArray<RecordedEvent>, hashes: ReadonlyArray<Buffer>, msgIds: Map<number, string>) =>
  events.map((e, i) => ({
    position: e.position,
    idx: e.index,
    id: e.id,
    stream: e.stream,
    type: e.type,
    data: e.data ?? null,
    meta: e.meta,
    message_id: msgIds.get(e.position) ?? '',
    actor_id: e.meta.actor?.id ?? null,
    occurred_at: e.meta.occurredAt,
    hash: hashes[i]!.toString('hex')
  }))

const asResults = (result: unknown): Array<{ rows: unknown[] }> => (Array.isArray(result) ? result : [result]) as Array<{ rows: unknown[] }>

const isUniqueViolation = (error: unknown, constraintPrefix: string): boolean =>
  typeof error === 'object' &&
  error !== null &&
  (error as { code?: string }).code === '23505' &&
  ((error as { constraint?: string }).constraint ?? '').startsWith(constraintPrefix)

// Notification payloads are limited to 8000 bytes; past that, listeners are told "anything".
const NOTICE_TYPES_MAX = 7_000

/**
 * The committed notification: the new checkpoint, then the event types the batch held, so a
 * reactor can skip a batch without a query when none of its types is in it.
 */
export const committedNotice = (position: number, events: ReadonlyArray<RecordedEvent>): string => {
  const types = [...new Set(events.map((e) => e.type))].join(',')
  return `${position} ${types.length > NOTICE_TYPES_MAX ? '*' : types}`
}

export interface CommittedNotice {
  readonly position: number
  /** Null when the batch's types were not listed (too many): assume any type. */
  readonly types: ReadonlySet<string> | null
}

export const parseCommittedNotice = (payload: string | undefined): CommittedNotice => {
  const [position = '', types = '*'] = (payload ?? '').split(' ', 2)
  return { position: Number.parseInt(position, 10) || 0, types: types === '*' ? null : new Set(types.split(',')) }
}

const explainConflict = async (client: Client, events: ReadonlyArray<RecordedEvent>, msgIds: Map<number, string>): Promise<never> => {
  const { rows } = await client.query<{ position: number; message_id: string; id: string }>(
    'SELECT position, message_id, id FROM events WHERE position = ANY($1::bigint[])',
    [[...msgIds.keys()]]
  )
  const clash = rows.find((r) => msgIds.get(r.position) !== r.message_id)
  throw new SinkHalted(
    clash
      ? `position ${clash.position} already holds message ${clash.message_id}, the bus now says ${msgIds.get(clash.position)}: the log was rewritten`
      : `events ${events[0]?.position}..${events[events.length - 1]?.position} are already stored although the checkpoint is behind them`
  )
}

/**
 * Before following the bus from the checkpoint, checks that it is still the log PostgreSQL
 * copied: a stream that was deleted and recreated starts again at sequence 1, and following it
 * from the old checkpoint would silently skip everything written since. The message at the
 * checkpoint must be the one stored there (unless the operator purged it after archiving).
 */
const checkBusAgrees = async (client: Client, log: SinkOptions['eventLog'], position: number): Promise<void> => {
  if (position === 0) return
  const bounds = await log.bounds()
  if (bounds.last < position)
    throw new SinkHalted(`the events stream ends at ${bounds.last} but PostgreSQL holds events up to ${position}: the stream was recreated or rewritten`)
  if (position < bounds.first) return
  const { rows } = await client.query<{ message_id: string }>('SELECT message_id FROM events WHERE position = $1 LIMIT 1', [position])
  const stored = rows[0]?.message_id
  if (stored === undefined) return
  const onBus = await log.messageAt(position)
  if (onBus?.msgId !== stored)
    throw new SinkHalted(`position ${position} holds message ${stored} in PostgreSQL but ${onBus ? onBus.msgId : 'nothing'} on the bus: the stream was recreated or rewritten`)
}

/** True while some process holds the sink lock (the API is not ready without an active sink). */
export const sinkIsActive = async (db: Queryable): Promise<boolean> => {
  const { rows } = await db.query(
    `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
       AND ((classid::bigint << 32) | objid::bigint) = $1`,
    [SINK_LOCK]
  )
  return rows.length > 0
}

/** A bounded hand-over queue between the bus reader and the batch writer. */
class Inbox<T extends { readonly bytes: number }> {
  private items: T[] = []
  private closed = false
  private failure: unknown = undefined
  private wakeTaker: (() => void) | undefined
  private wakePutter: (() => void) | undefined
  constructor(private readonly capacity: number) {}

  /** Waits for room; once the inbox is closed (the writer stopped), drops what comes. */
  async put(item: T): Promise<void> {
    while (this.items.length >= this.capacity && !this.closed) await new Promise<void>((r) => (this.wakePutter = r))
    if (this.closed) return
    this.items.push(item)
    this.wakeTaker?.()
  }
  close(): void {
    this.closed = true
    this.wakeTaker?.()
    this.wakePutter?.()
  }
  fail(error: unknown): void {
    this.failure = error ?? new Error('bus reader stopped')
    this.close()
  }
  /** Everything waiting (up to `max` items and about `maxBytes`, at least one), or null once closed and drained. */
  async take(max: number, maxBytes: number): Promise<T[] | null> {
    while (this.items.length === 0) {
      if (this.failure !== undefined) throw this.failure
      if (this.closed) return null
      await new Promise<void>((r) => (this.wakeTaker = r))
      this.wakeTaker = undefined
    }
    let count = 0
    for (let bytes = 0; count < Math.min(max, this.items.length); count++) {
      bytes += this.items[count]!.bytes
      if (count > 0 && bytes > maxBytes) break
    }
    const batch = this.items.splice(0, count)
    this.wakePutter?.()
    this.wakePutter = undefined
    return batch
  }
}
