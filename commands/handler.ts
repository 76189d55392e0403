import { Deferred, Effect, Exit, Schedule } from 'effect'
import {
  CURRENT_SCHEMA_VERSION,
  invalidInput,
  streamName,
  unstorableTextAt,
  type Actor,
  type BatchedEvent,
  type Decider,
  type DomainEvent,
  type EventBatch,
  type EventMeta,
  type RecordedEvent,
  type Rejection
} from '../domains/shared/index.ts'
import { AggregateCache, type CachedStream } from './aggregate-cache.ts'
import { ConcurrencyConflict, Rejected, StoreUnavailable, VersionMismatch } from './errors.ts'
import { EventStore } from './event-store.ts'
import { keyDigest, newId } from './ids.ts'

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
// Commands for one stream that queue up while an append is in flight go out together as one
// message (group commit per aggregate): a busy stream — an execution with hundreds of workers
// reporting — is not limited to one round trip per command.
const MAX_BATCH = 256
export const DEFAULT_AWAIT_COMMITTED_MS = 2_000

type Outcome<S> = Omit<CommandResult<S>, 'durable'>

interface Pending<C> {
  readonly command: C
  readonly context: CommandContext
  readonly done: Deferred.Deferred<Outcome<unknown>, CommandError>
  taken: boolean
}

// Per cache (one per runtime): the commands waiting for each stream.
const queues = new WeakMap<object, Map<string, Array<Pending<unknown>>>>()
const queueOf = (cache: object, stream: string): Array<Pending<unknown>> => {
  let byStream = queues.get(cache)
  if (!byStream) queues.set(cache, (byStream = new Map()))
  let queue = byStream.get(stream)
  if (!queue) byStream.set(stream, (queue = []))
  return queue
}
const takeBatch = (cache: object, stream: string): Array<Pending<unknown>> => {
  const queue = queueOf(cache, stream)
  const batch = queue.splice(0, MAX_BATCH)
  if (queue.length === 0) queues.get(cache)?.delete(stream)
  for (const p of batch) p.taken = true
  return batch
}

/**
 * load → decide → publish with expectation → on a wrong last sequence catch up and decide
 * again, up to 3 attempts with jittered backoff, then ConcurrencyConflict. Commands for one
 * stream are queued within the process (so conflicts only come from other processes), and those
 * waiting together are decided in order and published as one message.
 */
export const handleCommand = <C, E extends DomainEvent, S>(aggregate: Aggregate<C, E, S>, command: C, context: CommandContext) =>
  Effect.gen(function* () {
    const cache = yield* AggregateCache
    const id = aggregate.streamId(command)
    const stream = streamName(aggregate.kind, id)
    const mine: Pending<C> = { command, context, done: Deferred.makeUnsafe(), taken: false }
    queueOf(cache, stream).push(mine as Pending<unknown>)
    yield* cache.serialize(
      stream,
      Effect.suspend(() => (mine.taken ? Effect.void : settleBatch(aggregate, id, stream, takeBatch(cache, stream) as Array<Pending<C>>)))
    )
    const outcome = (yield* Deferred.await(mine.done)) as Outcome<S>
    const wait = context.awaitCommittedMs ?? DEFAULT_AWAIT_COMMITTED_MS
    const store = yield* EventStore
    const durable = wait > 0 && outcome.position > 0 ? yield* store.awaitCommitted(outcome.position, wait) : false
    return { ...outcome, durable } satisfies CommandResult<S>
  })

/** Runs one batch to its end and completes every waiting command; never fails itself. */
const settleBatch = <C, E extends DomainEvent, S>(aggregate: Aggregate<C, E, S>, id: string, stream: string, batch: Array<Pending<C>>) => {
  let tries = 0
  return Effect.suspend(() => attemptBatch(aggregate, id, stream, batch, tries++ === 0)).pipe(
    Effect.retry({
      while: (e) => e._tag === 'VersionMismatch',
      times: MAX_ATTEMPTS - 1,
      schedule: Schedule.exponential('8 millis').pipe(Schedule.jittered)
    }),
    Effect.catchTag('VersionMismatch', () => Effect.fail(new ConcurrencyConflict({ stream, attempts: MAX_ATTEMPTS }))),
    Effect.catch((error: CommandError) => Effect.sync(() => batch.forEach((p) => Deferred.doneUnsafe(p.done, Exit.fail(error))))),
    // The batch is settled by whichever caller's fiber took it: if that fiber dies or is
    // interrupted midway, the others must not wait forever (completing a done Deferred is a no-op).
    // Only then: a settled batch must not build an error per command for nothing.
    Effect.onError(() =>
      Effect.sync(() => {
        const lost = Exit.fail(new StoreUnavailable({ reason: 'the batch holding this command was interrupted' }))
        for (const p of batch) Deferred.doneUnsafe(p.done, lost)
      })
    )
  )
}

/**
 * The context of a command that another command issues as one of its steps (reserve a name,
 * claim a job slot): its own id derived from the parent's, caused by it, in the same
 * correlation. Only the main command waits for the sink; its steps need not be readable at once.
 */
export const stepContext = (context: CommandContext, step: string): CommandContext => ({
  ...context,
  commandId: `${context.commandId}/${step}`,
  causationId: context.commandId,
  correlationId: context.correlationId ?? context.commandId,
  awaitCommittedMs: 0
})

const metaOf = (context: CommandContext): EventMeta => ({
  actor: context.actor,
  commandId: context.commandId,
  correlationId: context.correlationId ?? context.commandId,
  causationId: context.causationId ?? null,
  occurredAt: context.now,
  schemaVersion: CURRENT_SCHEMA_VERSION
})

type Verdict =
  | { readonly kind: 'replayed'; readonly position: number | 'this-batch' }
  | { readonly kind: 'rejected'; readonly rejection: Rejection }
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'appended'; readonly events: ReadonlyArray<BatchedEvent> }

/** Decides each command of the batch in order, each on the state the earlier ones left. */
const decideAll = <C, E extends DomainEvent, S>(aggregate: Aggregate<C, E, S>, current: CachedStream, batch: ReadonlyArray<Pending<C>>) => {
  let state = current.state as S
  const events: BatchedEvent[] = []
  const inBatch = new Set<string>()
  const verdicts = batch.map((p): Verdict => {
    const commandId = p.context.commandId
    const seenAt = current.commands.get(commandId)
    if (seenAt !== undefined) return { kind: 'replayed', position: seenAt }
    if (inBatch.has(commandId)) return { kind: 'replayed', position: 'this-batch' }
    const decision = aggregate.decider.decide(p.command, state)
    if (!decision.ok) return { kind: 'rejected', rejection: decision.rejection }
    if (decision.events.length === 0) return { kind: 'unchanged' }
    const unstorable = decision.events.map((e) => unstorableTextAt(e.data)).find((at) => at !== undefined)
    if (unstorable) return { kind: 'rejected', rejection: invalidInput(unstorable, 'must not contain a NUL character or half of a UTF-16 surrogate pair') }
    const meta = metaOf(p.context)
    const mine = decision.events.map((e) => ({ id: newId(), type: e.type, data: e.data, meta }))
    events.push(...mine)
    state = decision.events.reduce(aggregate.decider.evolve, state)
    inBatch.add(commandId)
    return { kind: 'appended', events: mine }
  })
  return { state, events, verdicts }
}

const REUSED_COMMAND_ID = invalidInput('commandId', 'was already used for a command on another object; send this one with a new command id')

const attemptBatch = <C, E extends DomainEvent, S>(aggregate: Aggregate<C, E, S>, id: string, stream: string, batch: ReadonlyArray<Pending<C>>, firstTry: boolean) =>
  Effect.gen(function* () {
    const cache = yield* AggregateCache
    const store = yield* EventStore
    const cached = cache.get(stream)
    const guessed = !cached && firstTry ? optimisticNew(aggregate, batch[0]!.command) : undefined
    let current = cached ? (firstTry ? cached : yield* catchUp(aggregate, id, stream, cached)) : (guessed ?? (yield* loadInto(aggregate, id, stream)))
    let decided = decideAll(aggregate, current, batch)
    // A refusal or a "nothing to do" decided on a cached state (or on the guess that the stream
    // is new) may only mean we missed other writers' events: catch up and decide again first.
    if ((cached || guessed) && firstTry && decided.verdicts.some((v) => v.kind === 'rejected' || v.kind === 'unchanged' || v.kind === 'replayed')) {
      current = cached ? yield* catchUp(aggregate, id, stream, cached) : yield* loadInto(aggregate, id, stream)
      decided = decideAll(aggregate, current, batch)
    }
    let position = current.version
    let finalState = decided.state
    const appendedIds = batch.filter((_, i) => decided.verdicts[i]!.kind === 'appended').map((p) => p.context.commandId)
    let duplicate = false
    let reused = false
    if (decided.events.length > 0) {
      const first = batch[decided.verdicts.findIndex((v) => v.kind === 'appended')]!
      const single = appendedIds.length === 1
      const message: EventBatch = {
        stream,
        // One command: its meta once for the whole message. Several: each event carries its own.
        events: single ? decided.events.map(({ meta: _, ...e }) => e) : decided.events,
        meta: metaOf(first.context),
        ...(single ? {} : { messageId: `batch:${keyDigest('batch', appendedIds.join(','))}` })
      }
      // On a wrong last sequence the stale cache entry stays: the retry catches it up from the
      // bus tail instead of re-reading a long stream from the start.
      const appended = yield* store.append(aggregate.kind, id, current.version, message)
      reused = appended.elsewhere === true
      position = reused ? current.version : appended.position
      duplicate = appended.duplicate && !reused
      if (reused) {
        // Nothing of this command was stored; the cached state must not hold its events.
        finalState = current.state as S
      } else if (duplicate) {
        // An earlier try of this command id got through: report that one, publish nothing.
        cache.forget(stream)
        finalState = (yield* loadInto(aggregate, id, stream)).state as S
      } else {
        const commands = new Map(current.commands)
        for (const commandId of appendedIds) commands.set(commandId, position)
        cache.set(stream, { state: finalState, version: position, commands })
      }
    }
    batch.forEach((p, i) => {
      const v = decided.verdicts[i]!
      const base = { stream, id, state: finalState as unknown }
      const outcome: Exit.Exit<Outcome<unknown>, CommandError> =
        v.kind === 'rejected'
          ? Exit.fail(new Rejected({ rejection: v.rejection }))
          : v.kind === 'replayed'
            ? Exit.succeed({ ...base, position: v.position === 'this-batch' ? position : v.position, events: [], replayed: true })
            : v.kind === 'unchanged'
              ? Exit.succeed({ ...base, position: current.version, events: [], replayed: false })
              : reused
                ? Exit.fail(new Rejected({ rejection: REUSED_COMMAND_ID }))
                : Exit.succeed({ ...base, position, events: duplicate ? [] : v.events.map(({ id: eventId, type, data }) => ({ id: eventId, type, data })), replayed: duplicate })
      Deferred.doneUnsafe(p.done, outcome)
    })
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
