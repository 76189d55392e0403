import { Context, type Effect } from 'effect'
import type { EventBatch, RecordedEvent } from '../domains/shared/index.ts'
import type { StoreUnavailable, VersionMismatch } from './errors.ts'

export interface LoadedStream {
  readonly events: ReadonlyArray<RecordedEvent>
  /** JetStream sequence of the stream's last message; 0 for a stream that does not exist yet. */
  readonly version: number
}

export interface Appended {
  readonly position: number
  /** The bus recognised the command id: the events were already stored by an earlier try. */
  readonly duplicate: boolean
  /** …but on another aggregate's stream: a caller reused a command id for a different command. */
  readonly elsewhere?: boolean
}

/**
 * The port every entry point (api, workers, scheduler) writes through. The live layer is
 * JetStream for appends and stream tails plus PostgreSQL for stored streams; nothing else
 * knows how the two are combined.
 */
export class EventStore extends Context.Service<
  EventStore,
  {
    readonly load: (aggregate: string, id: string) => Effect.Effect<LoadedStream, StoreUnavailable>
    /** Only what was appended after `version`: catching a cached state up after a conflict. */
    readonly loadSince: (aggregate: string, id: string, version: number) => Effect.Effect<LoadedStream, StoreUnavailable>
    /** Appends one command's events iff the stream is still at `expectedVersion`. */
    readonly append: (
      aggregate: string,
      id: string,
      expectedVersion: number,
      batch: EventBatch
    ) => Effect.Effect<Appended, VersionMismatch | StoreUnavailable>
    /** Waits (bounded) until the sink has committed `position`; false when the bound passed. */
    readonly awaitCommitted: (position: number, timeoutMs: number) => Effect.Effect<boolean>
  }
>()('opsconductor/EventStore') {}
