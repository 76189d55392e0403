import type { CommittedFrame } from '../../bus/index.ts'
import { AFTER_WHOLE_POSITION, auditEntry, readAuditPage, readCommittedPosition, type AuditEntry, type AuditKey } from '../../projections/audit-log.ts'
import { typeMatcher, type TypeSelector } from '../../projections/event-type-patterns.ts'
import type { Queryable } from '../../projections/projection.ts'

export interface EventStreamOptions {
  readonly types: TypeSelector
  /** Deliver events after this position; null = from the current committed position on. */
  readonly after: number | null
  /** Live events held before falling back to reading the table (default MAX_QUEUED_EVENTS). */
  readonly maxQueuedEvents?: number
}

const CATCH_UP_PAGE = 500
/** Live events held for one subscriber before it falls back to reading the table. */
export const MAX_QUEUED_EVENTS = 10_000

/**
 * One subscriber's ordered, gap-free, duplicate-free view of the committed log.
 *
 * It is registered with the feed before it reads anything, so live frames that arrive while it
 * replays from the table are kept. `seen` is the position up to which every event has been
 * handled (delivered or filtered out); anything at or below it is skipped, and a frame that
 * starts past `seen + 1` first has the hole filled from the table (core NATS may drop frames,
 * the subscriber may have overflowed). Frames never split a position, so positions suffice.
 */
export class EventStream implements AsyncIterableIterator<AuditEntry> {
  private seen: number | null = null
  private catchUp: { target: number; after: AuditKey } | null = null
  private frames: CommittedFrame[] = []
  private queuedEvents = 0
  private ready: AuditEntry[] = []
  private wake: (() => void) | null = null
  private closed = false
  private readonly matches: (type: string) => boolean

  constructor(
    private readonly db: Queryable,
    private readonly options: EventStreamOptions,
    private readonly onClose: (stream: EventStream) => void
  ) {
    this.matches = typeMatcher(options.types)
  }

  /** Called by the feed for every live frame, in order. Never blocks the feed. */
  offer(frame: CommittedFrame): void {
    if (this.closed) return
    const size = frame.events?.length ?? 0
    if (this.queuedEvents + size > (this.options.maxQueuedEvents ?? MAX_QUEUED_EVENTS)) {
      // Too slow to keep up live: forget the frames, remember only how far the table must be read.
      this.frames = [{ upTo: frame.upTo, events: null }]
      this.queuedEvents = 0
    } else {
      this.frames.push(frame)
      this.queuedEvents += size
    }
    this.wake?.()
  }

  async next(): Promise<IteratorResult<AuditEntry>> {
    while (!this.closed) {
      const entry = this.ready.shift()
      if (entry) return { value: entry, done: false }
      await this.advance()
    }
    return { value: undefined, done: true }
  }

  async return(): Promise<IteratorResult<AuditEntry>> {
    this.close()
    return { value: undefined, done: true }
  }

  async throw(error: unknown): Promise<IteratorResult<AuditEntry>> {
    this.close()
    throw error
  }

  [Symbol.asyncIterator](): this {
    return this
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    this.frames = []
    this.ready = []
    this.wake?.()
    this.onClose(this)
  }

  /** One step: start, one page of catch-up, one live frame, or a wait for the next frame. */
  private async advance(): Promise<void> {
    if (this.seen === null) return this.start()
    if (this.catchUp) return this.readTablePage(this.seen, this.catchUp)
    const frame = this.frames.shift()
    if (!frame) return new Promise<void>((resolve) => (this.wake = resolve)).then(() => void (this.wake = null))
    this.queuedEvents -= frame.events?.length ?? 0
    this.applyFrame(this.seen, frame)
  }

  private async start(): Promise<void> {
    const committed = await readCommittedPosition(this.db)
    const seen = this.options.after ?? committed
    this.seen = seen
    if (committed > seen) this.catchUp = { target: committed, after: { position: seen, index: AFTER_WHOLE_POSITION } }
  }

  private async readTablePage(seen: number, catchUp: { target: number; after: AuditKey }): Promise<void> {
    const page = await readAuditPage(this.db, {
      filter: { types: this.options.types },
      order: 'ASC',
      after: catchUp.after,
      limit: CATCH_UP_PAGE,
      upTo: catchUp.target
    })
    if (this.closed) return
    this.ready.push(...page)
    const last = page[page.length - 1]
    if (page.length === CATCH_UP_PAGE && last) {
      catchUp.after = { position: last.position, index: last.index }
      return
    }
    this.seen = Math.max(seen, catchUp.target)
    this.catchUp = null
  }

  private applyFrame(seen: number, frame: CommittedFrame): void {
    if (frame.upTo <= seen) return
    const fill = (target: number) => (this.catchUp = { target, after: { position: seen, index: AFTER_WHOLE_POSITION } })
    if (frame.events === null) return void fill(frame.upTo)
    const first = frame.events[0]?.position ?? frame.upTo
    if (first > seen + 1) {
      // Something between may be missing from the live copy: read it, then take this frame.
      this.frames.unshift(frame)
      this.queuedEvents += frame.events.length
      return void fill(first - 1)
    }
    for (const e of frame.events) if (e.position > seen && this.matches(e.type)) this.ready.push(auditEntry(e))
    this.seen = frame.upTo
  }
}
