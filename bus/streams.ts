import { jetstreamManager, RetentionPolicy, StorageType, DiscardPolicy, type StreamConfig } from '@nats-io/jetstream'
import type { NatsConnection } from './connection.ts'
import type { BusNames } from './names.ts'

export interface StreamOptions {
  /** 1 on one machine, 3 in a cluster. */
  readonly replicas: number
  /** Upper bound for live output kept on the bus; PostgreSQL holds the copy for range reads. */
  readonly logsMaxBytes: number
  readonly logsMaxAgeSeconds: number
}

const NANOS_PER_SECOND = 1_000_000_000

/**
 * The event log: kept forever, file-backed, no deletes or purges (the audit trail must not be
 * editable through the bus), direct gets for cheap stream-tail reads, and a duplicate window
 * that absorbs client retries of the same command id.
 */
const eventsConfig = (names: BusNames, o: StreamOptions): Partial<StreamConfig> & { name: string } => ({
  name: names.eventsStream,
  subjects: [names.eventsFilter],
  retention: RetentionPolicy.Limits,
  storage: StorageType.File,
  discard: DiscardPolicy.New,
  num_replicas: o.replicas,
  duplicate_window: 120 * NANOS_PER_SECOND,
  allow_direct: true,
  deny_delete: true,
  deny_purge: true
})

const logsConfig = (names: BusNames, o: StreamOptions): Partial<StreamConfig> & { name: string } => ({
  name: names.logsStream,
  subjects: [names.logsFilter],
  retention: RetentionPolicy.Limits,
  storage: StorageType.File,
  discard: DiscardPolicy.Old,
  num_replicas: o.replicas,
  max_bytes: o.logsMaxBytes,
  max_age: o.logsMaxAgeSeconds * NANOS_PER_SECOND,
  allow_direct: true
})

/** Creates the streams, or brings an existing one's mutable settings up to date. Safe to run at every start. */
export const provisionStreams = async (nc: NatsConnection, names: BusNames, options: StreamOptions): Promise<void> => {
  const jsm = await jetstreamManager(nc)
  for (const config of [eventsConfig(names, options), logsConfig(names, options)]) {
    const name = config.name
    const existing = await jsm.streams.info(name).catch(() => null)
    if (!existing) {
      await jsm.streams.add(config)
      continue
    }
    const { name: _n, storage: _s, retention: _r, ...mutable } = config
    await jsm.streams.update(name, mutable)
  }
}

/** Removes a namespace's streams — for tests and benchmarks only. */
export const deleteStreams = async (nc: NatsConnection, names: BusNames): Promise<void> => {
  const jsm = await jetstreamManager(nc)
  for (const name of [names.eventsStream, names.logsStream, names.workStream]) {
    await jsm.streams.delete(name).catch(() => false)
  }
}

/**
 * Test and benchmark runs use namespaces `opstest_<7 chars>`, a prefix no installation would
 * pick by accident, so the clean-up below can never touch a real deployment's streams.
 */
export const TEST_NAMESPACE_PREFIX = 'opstest_'
const TEST_STREAM = /^OPSTEST_[0-9A-Z]{7}_(EVENTS|LOGS|WORK|PROBE)$/

export const isStaleTestStream = (name: string, created: string, olderThanMs: number, now = Date.now()): boolean =>
  TEST_STREAM.test(name) && now - Date.parse(created) >= olderThanMs

/**
 * A test run that crashed leaves its streams behind, and JetStream keeps reserving their byte
 * limits. Removes such streams older than `olderThanMs`.
 */
export const deleteStaleTestStreams = async (nc: NatsConnection, olderThanMs: number): Promise<number> => {
  const jsm = await jetstreamManager(nc)
  let deleted = 0
  for await (const s of jsm.streams.list()) {
    if (!isStaleTestStream(s.config.name, s.created, olderThanMs)) continue
    if (await jsm.streams.delete(s.config.name).catch(() => false)) deleted++
  }
  return deleted
}
