/**
 * The event envelope of the design. One bus message carries every event one command produced
 * (`EventBatch`); the JetStream sequence of that message is the events' global position.
 */
export type ActorKind = 'user' | 'token' | 'system'

export interface Actor {
  readonly kind: ActorKind
  readonly id: string
  readonly name: string
  /** Where the command came from, when it came over HTTP. */
  readonly ip?: string
  readonly userAgent?: string
}

export interface EventMeta {
  readonly actor: Actor
  readonly commandId: string
  readonly correlationId: string
  readonly causationId: string | null
  readonly occurredAt: string
  readonly schemaVersion: number
}

export interface BatchedEvent {
  readonly id: string
  readonly type: string
  readonly data: unknown
  /** Set when one message carries the events of several commands (a batch): their own envelope. */
  readonly meta?: EventMeta
}

/** The body of one message on `ops.evt.<aggregate>.<id>`: the events of one command, or of several queued together. */
export interface EventBatch {
  /** `<aggregate>-<id>`, the event-store stream name. */
  readonly stream: string
  readonly events: ReadonlyArray<BatchedEvent>
  /** The message's (first command's) envelope; events without their own `meta` have this one. */
  readonly meta: EventMeta
  /** Dedupe id of a message holding several commands (one command: its command id). */
  readonly messageId?: string
}

/** An event as read back from the store: envelope plus position. */
export interface RecordedEvent extends Omit<BatchedEvent, 'meta'> {
  readonly stream: string
  readonly meta: EventMeta
  /** JetStream sequence of the message that carried it. */
  readonly position: number
  /** Index of the event within its message. */
  readonly index: number
}

export const streamName = (aggregate: string, id: string): string => `${aggregate}-${id}`

export const CURRENT_SCHEMA_VERSION = 1
