import { Effect, Layer } from 'effect'
import { WrongLastSequence, type EventLog } from '../bus/index.ts'
import type { RecordedEvent } from '../domains/shared/index.ts'
import type { CommittedPositions } from '../projections/committed-positions.ts'
import type { Pool } from '../projections/db.ts'
import { readStream, recordedEvents } from '../projections/event-store.ts'
import { StoreUnavailable, VersionMismatch } from './errors.ts'
import { EventStore } from './event-store.ts'

const encoder = new TextEncoder()

const unavailable = (error: unknown) =>
  new StoreUnavailable({ reason: error instanceof Error ? error.message.slice(0, 200) : 'unknown failure' })

/**
 * PostgreSQL holds every stream up to the sink's checkpoint; JetStream holds the rest. A load
 * reads the stored part, then asks the bus for anything on the stream's subject after it.
 */
export const EventStoreLive = (deps: { readonly log: EventLog; readonly pool: Pool; readonly committed: CommittedPositions }) =>
  Layer.succeed(EventStore, {
    load: (aggregate, id) =>
      Effect.tryPromise({
        try: async () => {
          const subject = deps.log.names.eventSubject(aggregate, id)
          // The bus keeps every event, so it alone can say "this stream is empty": a new
          // aggregate costs one direct get and no PostgreSQL read.
          const last = await deps.log.lastOnSubject(subject)
          if (!last) return { events: [], version: 0 }
          const stored = await readStream(deps.pool, `${aggregate}-${id}`)
          const after = stored.length > 0 ? stored[stored.length - 1]!.position : 0
          const tail = after >= last.seq ? [] : await deps.log.tail(subject, after)
          const events: RecordedEvent[] = [...stored, ...tail.flatMap((m) => recordedEvents(m.seq, m.data))]
          return { events, version: events.length > 0 ? events[events.length - 1]!.position : 0 }
        },
        catch: unavailable
      }),
    loadSince: (aggregate, id, version) =>
      Effect.tryPromise({
        try: async () => {
          const tail = await deps.log.tail(deps.log.names.eventSubject(aggregate, id), version)
          const events = tail.flatMap((m) => recordedEvents(m.seq, m.data))
          return { events, version: events.length > 0 ? events[events.length - 1]!.position : version }
        },
        catch: unavailable
      }),
    append: (aggregate, id, expectedVersion, batch) =>
      Effect.tryPromise({
        try: async () => {
          const subject = deps.log.names.eventSubject(aggregate, id)
          const ack = await deps.log.append(subject, encoder.encode(JSON.stringify(batch)), {
            msgId: batch.messageId ?? batch.meta.commandId,
            expectedLastSubjectSequence: expectedVersion,
            headers: {
              'Ops-Event-Types': batch.events.map((e) => e.type).join(','),
              'Ops-Actor': `${batch.meta.actor.kind}:${batch.meta.actor.id}`,
              'Ops-Correlation-Id': batch.meta.correlationId
            }
          })
          // JetStream deduplicates per stream, not per subject: make sure the earlier message
          // with this id is this aggregate's, not another command that used the same id.
          if (ack.duplicate && (await deps.log.messageAt(ack.seq))?.subject !== subject) return { position: ack.seq, duplicate: true, elsewhere: true }
          return { position: ack.seq, duplicate: ack.duplicate }
        },
        catch: (error) => (error instanceof WrongLastSequence ? new VersionMismatch({ stream: batch.stream }) : unavailable(error))
      }),
    awaitCommitted: (position, timeoutMs) => Effect.promise(() => deps.committed.waitFor(position, timeoutMs))
  })
