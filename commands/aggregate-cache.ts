import { Context, Effect, Layer, Semaphore } from 'effect'

export interface CachedStream {
  readonly state: unknown
  readonly version: number
  /** Command ids already applied to this stream → position of their message. */
  readonly commands: ReadonlyMap<string, number>
}

/**
 * Folded aggregate state kept between commands, plus a per-stream queue so one process never
 * races itself on an aggregate. A stale entry is harmless: the append's expectation fails and
 * the handler reloads.
 */
export class AggregateCache extends Context.Service<
  AggregateCache,
  {
    readonly get: (stream: string) => CachedStream | undefined
    readonly set: (stream: string, entry: CachedStream) => void
    readonly forget: (stream: string) => void
    /** Runs `work` after every earlier call for the same stream has finished. */
    readonly serialize: <A, E, R>(stream: string, work: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  }
>()('opsconductor/AggregateCache') {}

/**
 * Drops the `count` least recently used entries in one pass. Evicting one entry per insert looks
 * cheaper but is not: every walk from a Map's start steps over all the entries deleted since its
 * last rehash, so a full cache paid O(capacity) per command (a fifth of the handler's CPU).
 */
const evictOldest = (entries: Map<string, CachedStream>, count: number): void => {
  for (const key of entries.keys()) {
    if (count-- <= 0) break
    entries.delete(key)
  }
}

export const makeAggregateCache = (capacity = 20_000): AggregateCache['Service'] => {
  const entries = new Map<string, CachedStream>()
  const locks = new Map<string, { semaphore: Semaphore.Semaphore; users: number }>()
  return {
    get: (stream) => {
      const entry = entries.get(stream)
      if (entry) {
        // Re-insert to keep Map order = least recently used first.
        entries.delete(stream)
        entries.set(stream, entry)
      }
      return entry
    },
    set: (stream, entry) => {
      // A read that raced a newer append (a state refresh outside the stream's queue) must not
      // put the cache back: the next command would decide on it and fail its expectation.
      const current = entries.get(stream)
      if (current && current.version > entry.version) return
      entries.delete(stream)
      entries.set(stream, entry)
      if (entries.size > capacity) evictOldest(entries, entries.size - capacity + Math.ceil(capacity / 10))
    },
    forget: (stream) => void entries.delete(stream),
    serialize: (stream, work) =>
      Effect.suspend(() => {
        let lock = locks.get(stream)
        if (!lock) {
          lock = { semaphore: Semaphore.makeUnsafe(1), users: 0 }
          locks.set(stream, lock)
        }
        const held = lock
        held.users++
        return held.semaphore.withPermit(work).pipe(
          Effect.ensuring(
            Effect.sync(() => {
              if (--held.users === 0) locks.delete(stream)
            })
          )
        )
      })
  }
}

export const AggregateCacheLive = Layer.sync(AggregateCache, () => makeAggregateCache())
