import { followOutput, type BusNames, type NatsConnection, type OutputChunkMessage } from '../bus/index.ts'
import { connectClient, tryAdvisoryLock, inTransaction, type Client } from './db.ts'
import { OUTPUT_CHECKPOINT, storeOutputChunks } from './output-store.ts'
import { pause } from './wait.ts'

const OUTPUT_LOCK = 7_311_003
const BATCH = 500

export interface OutputSinkOptions {
  readonly databaseUrl: string
  readonly nc: NatsConnection
  readonly names: BusNames
  readonly log: (message: string) => void
  readonly signal: AbortSignal
}

/**
 * Copies live output from the logs stream into `execution_output` for range reads, one
 * transaction per batch with its checkpoint. One active copier (advisory lock), others standby;
 * chunks are keyed by their coordinates, so a replay after a crash stores nothing twice.
 */
export const runOutputSink = async (o: OutputSinkOptions): Promise<void> => {
  while (!o.signal.aborted) {
    let client: Client | undefined
    try {
      client = await connectClient(o.databaseUrl, 'opsconductor-output-sink')
      client.on('error', () => undefined)
      if (!(await tryAdvisoryLock(client, OUTPUT_LOCK))) {
        await client.end().catch(() => undefined)
        await pause(1_000, o.signal)
        continue
      }
      await copy(client, o)
    } catch (error) {
      if (o.signal.aborted) break
      o.log(`output sink: ${error instanceof Error ? error.message : String(error)}; restarting from the checkpoint`)
      await pause(1_000, o.signal)
    } finally {
      await client?.end().catch(() => undefined)
    }
  }
}

const copy = async (client: Client, o: OutputSinkOptions) => {
  const { rows } = await client.query<{ position: number }>('SELECT position FROM checkpoints WHERE name = $1', [OUTPUT_CHECKPOINT])
  const from = (rows[0]?.position ?? 0) + 1
  const stop = new AbortController()
  const abort = () => stop.abort()
  o.signal.addEventListener('abort', abort, { once: true })
  let pending: Array<OutputChunkMessage & { position: number }> = []
  let flushing: Promise<void> = Promise.resolve()
  let failure: unknown = undefined
  // Flush whatever arrived as soon as the previous flush is done: big batches under load,
  // a few milliseconds of delay when idle.
  const flush = () => {
    if (pending.length === 0) return
    const batch = pending
    pending = []
    flushing = flushing
      .then(() => (failure === undefined ? inTransaction(client, () => storeOutputChunks(client, batch)) : undefined))
      .catch((error: unknown) => {
        // Stop reading; the supervisor reconnects and resumes from the committed checkpoint.
        failure = error
        stop.abort()
      })
  }
  const timer = setInterval(flush, 20)
  try {
    for await (const chunk of followOutput(o.nc, o.names, { executionId: null, targetId: null, fromPosition: from }, stop.signal)) {
      pending.push(chunk)
      if (pending.length >= BATCH) {
        flush()
        await flushing
      }
    }
  } finally {
    clearInterval(timer)
    o.signal.removeEventListener('abort', abort)
    flush()
    await flushing
  }
  if (failure !== undefined) throw failure
}
