import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, PubHeaders, RetentionPolicy, StorageType, type JsMsg } from '@nats-io/jetstream'
import { ackedPublisherFor } from './acked-publisher.ts'
import { notFoundAsNull } from './event-log.ts'
import type { NatsConnection } from './connection.ts'
import type { BusNames } from './names.ts'

const NANOS_PER_MS = 1_000_000
const CONSUMER = 'workers'

export interface WorkQueueOptions {
  /** How long a worker may stay silent about a work item before it is redelivered to another. */
  readonly ackWaitMs: number
  /** Deliveries before a work item is given up and reported. */
  readonly maxDeliver: number
  /** Work items out at once across all workers (back-pressure for the whole fleet). */
  readonly maxAckPending: number
}

export const DEFAULT_WORK_QUEUE: WorkQueueOptions = { ackWaitMs: 30_000, maxDeliver: 5, maxAckPending: 10_000 }

/**
 * The work-queue stream (each item taken by exactly one worker, removed on ack) and the one
 * durable pull consumer every worker shares; created or updated at every start.
 */
export const provisionWorkQueue = async (nc: NatsConnection, names: BusNames, replicas: number, o: WorkQueueOptions = DEFAULT_WORK_QUEUE) => {
  const jsm = await jetstreamManager(nc)
  const stream = {
    name: names.workStream,
    subjects: [`${names.namespace}.work.>`],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    num_replicas: replicas,
    duplicate_window: 120_000 * NANOS_PER_MS
  }
  if (await jsm.streams.info(names.workStream).catch(() => null)) {
    const { name: _n, retention: _r, storage: _s, ...mutable } = stream
    await jsm.streams.update(names.workStream, mutable)
  } else {
    await jsm.streams.add(stream)
  }
  const consumer = {
    durable_name: CONSUMER,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: o.ackWaitMs * NANOS_PER_MS,
    max_deliver: o.maxDeliver,
    max_ack_pending: o.maxAckPending,
    // Redeliveries of an item whose worker vanished back off instead of hammering the fleet.
    // (The server wants fewer backoff steps than deliveries, and none when there is no redelivery.)
    ...(o.maxDeliver > 1 ? { backoff: [o.ackWaitMs, o.ackWaitMs * 2, o.ackWaitMs * 4].slice(0, o.maxDeliver - 1).map((ms) => ms * NANOS_PER_MS) } : {})
  }
  const existing = await jsm.consumers.info(names.workStream, CONSUMER).catch(() => null)
  if (existing) await jsm.consumers.update(names.workStream, CONSUMER, consumer)
  else await jsm.consumers.add(names.workStream, consumer)
}

export const workSubject = (names: BusNames, executionId: string, targetId: string) => `${names.namespace}.work.${executionId}.${targetId}`

/** Enqueues a work item; `workId` dedupes re-sends (a reactor replaying after a crash). */
export const enqueueWork = async (nc: NatsConnection, subject: string, body: Uint8Array, workId: string): Promise<void> => {
  await ackedPublisherFor(nc).publish(subject, body, { [PubHeaders.MsgIdHdr]: workId })
}

export interface WorkItem {
  readonly data: Uint8Array
  /** 1 on first delivery; more when a previous worker did not finish it. */
  readonly deliveryCount: number
  /** Tells the server the worker is alive and still on it (resets the ack timer). */
  readonly heartbeat: () => void
  readonly done: () => Promise<void>
  /** Gives it back, to be redelivered after `delayMs`. */
  readonly retryLater: (delayMs: number) => void
  /** Never deliver it again (a poison item). */
  readonly abandon: (reason: string) => void
}

const toWorkItem = (m: JsMsg): WorkItem => ({
  data: m.data,
  deliveryCount: m.info.deliveryCount,
  heartbeat: () => m.working(),
  done: async () => void (await m.ackAck()),
  retryLater: (delayMs) => m.nak(delayMs),
  abandon: (reason) => m.term(reason)
})

/**
 * Takes work with `slots` concurrent handlers; each slot pulls exactly one item when it is free,
 * so nothing sits prefetched in this process while its ack timer runs.
 */
export const consumeWork = async (
  nc: NatsConnection,
  names: BusNames,
  slots: number,
  handle: (item: WorkItem) => Promise<void>,
  signal: AbortSignal
): Promise<void> => {
  const consumer = await jetstream(nc).consumers.get(names.workStream, CONSUMER)
  // Stopping should not wait for the open pull requests to expire.
  const stopped = new Promise<null>((resolve) => signal.addEventListener('abort', () => resolve(null), { once: true }))
  const slot = async () => {
    while (!signal.aborted) {
      const m = await Promise.race([consumer.next({ expires: 5_000 }).catch(() => null), stopped])
      if (!m) {
        if (!signal.aborted) await new Promise((r) => setTimeout(r, 50))
        continue
      }
      if (signal.aborted) {
        // Pulled while stopping: hand it straight back for another worker.
        m.nak()
        break
      }
      await handle(toWorkItem(m))
    }
  }
  await Promise.all(Array.from({ length: slots }, slot))
}

/** A work item still waiting or in progress on the queue (acknowledged items are gone). */
export const workItemExists = async (nc: NatsConnection, names: BusNames, subject: string): Promise<boolean> => {
  const jsm = await jetstreamManager(nc)
  // Only "no such message" means the item is gone; a timeout or a leader election must not read
  // as "lost" (the watchdog would interrupt healthy runs): it throws, and the scan is skipped.
  const found = await jsm.streams.getMessage(names.workStream, { last_by_subj: subject }).catch(notFoundAsNull)
  return found !== null
}

/**
 * Work items the server gave up on (delivered `max_deliver` times without an ack): `handle`
 * gets each one's body, then it is removed from the queue. Core-NATS advisories can be missed
 * while no watcher runs; the watchdog's periodic scan covers that.
 */
export const watchAbandonedWork = (nc: NatsConnection, names: BusNames, handle: (body: Uint8Array) => Promise<void>, log: (m: string) => void) => {
  const subscription = nc.subscribe(`$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${names.workStream}.${CONSUMER}`, {
    callback: (error, msg) => {
      if (error) return log(`work advisories: ${error.message}`)
      void (async () => {
        const advisory = JSON.parse(new TextDecoder().decode(msg.data)) as { stream_seq?: number }
        if (!advisory.stream_seq) return
        const jsm = await jetstreamManager(nc)
        const item = await jsm.streams.getMessage(names.workStream, { seq: advisory.stream_seq }).catch(() => null)
        if (!item) return
        await handle(item.data)
        await jsm.streams.deleteMessage(names.workStream, advisory.stream_seq).catch(() => false)
      })().catch((e: unknown) => log(`work advisories: ${e instanceof Error ? e.message : String(e)}`))
    }
  })
  return { close: () => subscription.unsubscribe() }
}

/** Removes a target run's waiting work item (an operator's or a test's way to lose work on purpose). */
export const discardWork = async (nc: NatsConnection, names: BusNames, subject: string): Promise<number> => {
  const jsm = await jetstreamManager(nc)
  return (await jsm.streams.purge(names.workStream, { filter: subject })).purged
}
