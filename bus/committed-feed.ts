import type { RecordedEvent } from '../domains/shared/index.ts'
import type { NatsConnection } from './connection.ts'

/**
 * Live copies of committed events on core NATS (`<ns>.committed`): the one active sink publishes
 * each committed batch, every API process subscribes once and fans out in-process. Core NATS is
 * at-most-once, so this is a fast path only: receivers repair gaps from the events table.
 *
 * A frame holds whole positions (a message's events are never split across frames), and `upTo`
 * is the last position it covers. `events: null` means "too big to carry, read `upTo` and
 * anything before it from the table".
 */
export interface CommittedFrame {
  readonly upTo: number
  readonly events: ReadonlyArray<RecordedEvent> | null
}

const DEFAULT_MAX_PAYLOAD = 1024 * 1024
// Room for the frame's own wrapping and the NATS protocol line.
const HEADROOM = 512

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** Splits one committed batch into frames no larger than `limit` bytes, at position boundaries. */
export const committedFrames = (position: number, events: ReadonlyArray<RecordedEvent>, limit: number): string[] => {
  const frames: string[] = []
  let covered = 0
  const push = (upTo: number, body: string) => {
    frames.push(`{"upTo":${upTo},"events":${body}}`)
    covered = upTo
  }
  let parts: string[] = []
  let size = 0
  let lastPosition = 0
  const flush = (upTo: number) => {
    if (parts.length > 0) push(upTo, `[${parts.join(',')}]`)
    parts = []
    size = 0
  }
  for (const group of byPosition(events)) {
    const encoded = group.map((e) => JSON.stringify(e))
    const groupSize = encoded.reduce((n, s) => n + Buffer.byteLength(s) + 1, 0)
    const groupPosition = group[0]!.position
    if (groupSize + HEADROOM > limit) {
      flush(lastPosition)
      push(groupPosition, 'null')
    } else {
      if (size + groupSize + HEADROOM > limit) flush(lastPosition)
      parts.push(...encoded)
      size += groupSize
    }
    lastPosition = groupPosition
  }
  flush(position)
  // Always reach the checkpoint, even when the batch's last messages held no events.
  if (covered < position) push(position, '[]')
  return frames
}

function* byPosition(events: ReadonlyArray<RecordedEvent>): Generator<RecordedEvent[]> {
  let group: RecordedEvent[] = []
  for (const e of events) {
    if (group.length > 0 && group[0]!.position !== e.position) {
      yield group
      group = []
    }
    group.push(e)
  }
  if (group.length > 0) yield group
}

/**
 * The sink's `onCommitted` callback. Never throws: a failed live copy must not restart the sink,
 * and subscribers fill the hole from the table anyway.
 */
export const committedPublisher =
  (nc: NatsConnection, subject: string, log: (message: string) => void) =>
  (position: number, events: ReadonlyArray<RecordedEvent>): void => {
    try {
      const limit = nc.info?.max_payload ?? DEFAULT_MAX_PAYLOAD
      for (const frame of committedFrames(position, events, limit)) nc.publish(subject, encoder.encode(frame))
    } catch (error) {
      log(`committed feed: live copy of ${position} not published (${error instanceof Error ? error.message : String(error)})`)
    }
  }

export interface CommittedSubscription {
  readonly close: () => void
}

/** Delivers every frame arriving on the subject, in order; malformed frames are reported and skipped. */
export const subscribeCommitted = (
  nc: NatsConnection,
  subject: string,
  onFrame: (frame: CommittedFrame) => void,
  log: (message: string) => void
): CommittedSubscription => {
  const subscription = nc.subscribe(subject, {
    callback: (error, msg) => {
      if (error) return log(`committed feed: ${error.message}`)
      const frame = decodeFrame(msg.data)
      if (frame) onFrame(frame)
      else log('committed feed: ignored a malformed frame')
    }
  })
  return { close: () => subscription.unsubscribe() }
}

const decodeFrame = (data: Uint8Array): CommittedFrame | null => {
  try {
    const value: unknown = JSON.parse(decoder.decode(data))
    if (typeof value !== 'object' || value === null || !('upTo' in value) || !('events' in value)) return null
    const { upTo, events } = value
    if (typeof upTo !== 'number' || !(events === null || Array.isArray(events))) return null
    return { upTo, events: events as RecordedEvent[] | null }
  } catch {
    return null
  }
}
