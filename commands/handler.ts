import { Effect, Schedule } from 'effect'
import {
  CURRENT_SCHEMA_VERSION,
  streamName,
  type Actor,
  type BatchedEvent,
  type Decider,
  type DomainEvent,
  type EventBatch,
  type RecordedEvent,
  type Rejection
} from '../domains/shared/index.ts'
import { AggregateCache, type CachedStream } from './aggregate-cache.ts'
import { ConcurrencyConflict, Rejected, StoreUnavailable, VersionMismatch } from './errors.ts'
import { EventStore } from './event-store.ts'
import { newId } from './ids.ts'

export interface Aggregate<C, E extends DomainEvent, S> {
  /** Subject token and stream prefix: `ops.evt.<kind>.<id>`, stream `<kind>-<id>`. */
  readonly kind: string
  readonly streamId: (command: C) => string
  readonly decider: Decider<C, E, S, Rejection>
  /**
   * True for commands that normally start a new stream (registrations). Their first attempt
   * skips loading and publishes expecting an empty stream; if the stream exists after all, the
   * expectation fails and the retry loads it — correctness never rests on the guess.
   */
  readonly startsStream?: (command: C) => boolean
}

export interface CommandContext {
  readonly commandId: string
  readonly actor: Actor
  readonly correlationId?: string
  readonly causationId?: string | null
  readonly now: string
  /** How long to wait for the sink (read-your-writes); 0 = don't wait. */
  readonly awaitCommittedMs?: number
}

export interface CommandResult<S> {
  readonly stream: string
  readonly id: string
  /** Position of the message that holds this command's events (or the stream's version for a no-op). */
  readonly position: number
  readonly events: ReadonlyArray<BatchedEvent>
  readonly state: S
  /** This command id had already been handled: the original outcome, nothing new published. */
  readonly replayed: boolean
  /** The sink committed `position` to PostgreSQL before we answered. */
  readonly durable: boolean
}

const MAX_ATTEMPTS = 3
export const DEFAULT_AWAIT_COMMITTED_MS = 2_000

/**
 * load → decide → publish with expectation → on a wrong last sequence reload and decide again,
 * up to 3 attempts with jittered backoff, then ConcurrencyConflict. Commands for one stream are
 * queued within the process, so conflicts only come from other processes.
 */
export const handleCommand = <C, E extends DomainEvent, S>(aggregate: Aggregate<C, E, S>, command: C, context: CommandContext) =>
  Effect.gen(function* () {
    const cache = yield* AggregateCache
    const id = aggregate.streamId(command)
    const stream = streamName(aggregate.kind, id)
    let tries = 0
    const outcome = yield* cache.serialize(
      stream,
      Effect.suspend(() => attempt(aggregate, command, context, id, stream, tries++ === 0)).pipe(
        Effect.retry({
          while: (e) => e._tag === 'VersionMismatch',
          times: MAX_ATTEMPTS - 1,
          schedule: Schedule.exponential('8 millis').pipe(Schedule.jittered)
        }),
        Effect.catchTag('VersionMismatch', () => Effect.fail(new ConcurrencyConflict({ stream, attempts: MAX_ATTEMPTS })))
      )
    )
    const wait = context.awaitCommittedMs ?? DEFAULT_AWAIT_COMMITTED_MS
    const store = yield* EventStore
    const durable = wait > 0 && outcome.position > 0 ? yield* store.awaitCommitted(outcome.position, wait) : false
    return { ...outcome, durable } satisfies CommandResult<S>
  })

const attempt = <C, E extends DomainEvent, S>(
  aggregate: Aggregate<C, E, S>,
  command: C,
  context: CommandContext,
  id: string,
  stream: string,
  firstTry: boolean
) =>
  Effect.gen(function* () {
    const cache = yield* AggregateCache
    const store = yield* EventStore
    const cached = cache.get(stream)
    let current = cached
      ? firstTry
        ? cached
        : yield* catchUp(aggregate, id, stream, cached)
      : ((firstTry ? optimisticNew(aggregate, command) : undefined) ?? (yield* loadInto(aggregate, id, stream)))
    let decision = aggregate.decider.decide(command, current.state as S)
    // A refusal or a "nothing to do" decided on a cached state may only mean the cache missed
    // another writer's events: catch up and decide again before answering.
    if (cached && firstTry && (!decision.ok || decision.events.length === 0)) {
      current = yield* catchUp(aggregate, id, stream, cached)
      decision = aggregate.decider.decide(command, current.state as S)
    }
    const state = current.state as S
    const seenAt = current.commands.get(context.commandId)
    if (seenAt !== undefined) return { stream, id, position: seenAt, events: [], state, replayed: true }
    if (!decision.ok) return yield* Effect.fail(new Rejected({ rejection: decision.rejection }))
    if (decision.events.length === 0) return { stream, id, position: current.version, events: [], state, replayed: false }

    const batch: EventBatch = {
      stream,
      events: decision.events.map((e) => ({ id: newId(), type: e.type, data: e.data })),
      meta: {
        actor: context.actor,
        commandId: context.commandId,
        correlationId: context.correlationId ?? context.commandId,
        causationId: context.causationId ?? null,
        occurredAt: context.now,
        schemaVersion: CURRENT_SCHEMA_VERSION
      }
    }
    // On a wrong last sequence the stale cache entry stays: the retry catches it up from the bus
    // tail instead of re-reading a long stream from the start.
    const appended = yield* store.append(aggregate.kind, id, current.version, batch)
    if (appended.duplicate) {
      // An earlier try of this command id got through: report that one, publish nothing.
      cache.forget(stream)
      const reloaded = yield* loadInto(aggregate, id, stream)
      return { stream, id, position: appended.position, events: [], state: reloaded.state as S, replayed: true }
    }
    const next = decision.events.reduce(aggregate.decider.evolve, state)
    cache.set(stream, {
      state: next,
      version: appended.position,
      commands: new Map(current.commands).set(context.commandId, appended.position)
    })
    return { stream, id, position: appended.position, events: batch.events, state: next, replayed: false }
  })

const optimisticNew = <C, E extends DomainEvent, S>(aggregate: Aggregate<C, E, S>, command: C): CachedStream | undefined =>
  aggregate.startsStream?.(command) ? { state: aggregate.decider.initialState, version: 0, commands: new Map() } : undefined

/** Folds what other writers appended since the cached version into the cached state. */
const catchUp = <C, E extends DomainEvent, S>(aggregate: Aggregate<C, E, S>, id: string, stream: string, entry: CachedStream) =>
  Effect.gen(function* () {
    const store = yield* EventStore
    const cache = yield* AggregateCache
    const newer = yield* store.loadSince(aggregate.kind, id, entry.version)
    const commands = new Map(entry.commands)
    for (const e of newer.events) commands.set(e.meta.commandId, e.position)
    const caughtUp: CachedStream = {
      state: newer.events.reduce((s, e) => aggregate.decider.evolve(s as S, { type: e.type, data: e.data } as E), entry.state as S),
      version: newer.version,
      commands
    }
    cache.set(stream, caughtUp)
    return caughtUp
  })

const loadInto = <C, E extends DomainEvent, S>(aggregate: Aggregate<C, E, S>, id: string, stream: string) =>
  Effect.gen(function* () {
    const store = yield* EventStore
    const cache = yield* AggregateCache
    const loaded = yield* store.load(aggregate.kind, id)
    const entry: CachedStream = {
      state: foldRecorded(aggregate.decider, loaded.events),
      version: loaded.version,
      commands: new Map(loaded.events.map((e) => [e.meta.commandId, e.position]))
    }
    cache.set(stream, entry)
    return entry
  })

export const foldRecorded = <E extends DomainEvent, S>(decider: { initialState: S; evolve: (s: S, e: E) => S }, events: ReadonlyArray<RecordedEvent>): S =>
  events.reduce((s, e) => decider.evolve(s, { type: e.type, data: e.data } as E), decider.initialState)

export type CommandError = Rejected | ConcurrencyConflict | StoreUnavailable
export { Rejected, ConcurrencyConflict, StoreUnavailable, VersionMismatch }

/**
 * The current state of an aggregate, for checks that span aggregates (does the credential
 * exist?). `fresh` bypasses the cache when a stale answer would be wrong rather than merely late.
 */
export const loadState = <C, E extends DomainEvent, S>(aggregate: Aggregate<C, E, S>, id: string, fresh = false) =>
  Effect.gen(function* () {
    const cache = yield* AggregateCache
    const stream = streamName(aggregate.kind, id)
    const cached = fresh ? undefined : cache.get(stream)
    return (cached ?? (yield* loadInto(aggregate, id, stream))).state as S
  })

/** The current state, caught up with everything on the bus (cache first, then only the tail). */
export const refreshState = <C, E extends DomainEvent, S>(aggregate: Aggregate<C, E, S>, id: string) =>
  Effect.gen(function* () {
    const cache = yield* AggregateCache
    const stream = streamName(aggregate.kind, id)
    const cached = cache.get(stream)
    return (cached ? yield* catchUp(aggregate, id, stream, cached) : yield* loadInto(aggregate, id, stream)).state as S
  })
