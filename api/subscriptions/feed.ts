import { subscribeCommitted, type CommittedFrame, type CommittedSubscription, type NatsConnection } from '../../bus/index.ts'
import type { Queryable } from '../../projections/projection.ts'
import type { Platform } from '../../runtime/platform.ts'
import { EventStream, type EventStreamOptions } from './event-stream.ts'

export interface EventFeedDeps {
  readonly nc: NatsConnection
  readonly subject: string
  readonly db: Queryable
  /** The sink's committed position as this process last heard it (LISTEN/NOTIFY). */
  readonly committedPosition: () => number
  readonly log: (message: string) => void
  /** How long a committed position may go without its live frame before the table is read. */
  readonly repairAfterMs?: number
}

/**
 * The process-wide fan-out of committed events: one core-NATS subscription, any number of
 * subscribers. Each subscriber repairs its own gaps when the next frame shows one; this feed
 * covers the quiet case, where a dropped frame is followed by no other for a while: when
 * PostgreSQL reports a committed position that no frame has covered one tick later, it sends
 * subscribers a "read the table up to here" frame.
 */
export class EventFeed {
  private readonly streams = new Set<EventStream>()
  private readonly subscription: CommittedSubscription
  private readonly timer: NodeJS.Timeout
  private covered: number
  private heardAtLastTick: number

  constructor(private readonly deps: EventFeedDeps) {
    this.covered = deps.committedPosition()
    this.heardAtLastTick = this.covered
    this.subscription = subscribeCommitted(deps.nc, deps.subject, (frame) => this.dispatch(frame), deps.log)
    this.timer = setInterval(() => this.repair(), deps.repairAfterMs ?? 500).unref()
  }

  /** The committed events after `after` (or from now on), each exactly once, in order. */
  subscribe(options: EventStreamOptions): EventStream {
    // "From now on" means from the moment of subscribing, not of the first read.
    const after = options.after ?? this.deps.committedPosition()
    const stream = new EventStream(this.deps.db, { ...options, after }, (s) => this.streams.delete(s))
    this.streams.add(stream)
    return stream
  }

  get subscribers(): number {
    return this.streams.size
  }

  close(): void {
    clearInterval(this.timer)
    this.subscription.close()
    for (const s of [...this.streams]) s.close()
  }

  private dispatch(frame: CommittedFrame): void {
    if (frame.upTo > this.covered) this.covered = frame.upTo
    for (const s of this.streams) s.offer(frame)
  }

  private repair(): void {
    if (this.heardAtLastTick > this.covered) this.dispatch({ upTo: this.heardAtLastTick, events: null })
    this.heardAtLastTick = this.deps.committedPosition()
  }
}

const feeds = new WeakMap<Platform, EventFeed>()

/**
 * The feed of this process's platform, created on first use, so resolvers need nothing beyond
 * the request context. `closeEventFeed` on shutdown (the bus subscription also ends when the
 * connection drains).
 */
export const eventFeedFor = (platform: Platform, log: (message: string) => void = () => undefined): EventFeed => {
  let feed = feeds.get(platform)
  if (!feed) {
    feed = new EventFeed({
      nc: platform.nc,
      subject: platform.eventLog.names.committedSubject,
      db: platform.pool,
      committedPosition: () => platform.committed.current,
      log
    })
    feeds.set(platform, feed)
  }
  return feed
}

export const closeEventFeed = (platform: Platform): void => {
  feeds.get(platform)?.close()
  feeds.delete(platform)
}
