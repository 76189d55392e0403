import { Effect } from 'effect'
import { reservations, type ReservationScope, type ReservationState } from '../domains/reservations/index.ts'
import { handleCommand, loadState, stepContext, type CommandContext } from './handler.ts'
import { keyDigest } from './ids.ts'
import { EventStore } from './event-store.ts'

/**
 * Answers "does this aggregate still use the key it reserved?" from the aggregate's own stream:
 * 'absent' when the holder has no events (yet: its creation may be in flight right now).
 */
export type HolderCheck<R> = (ownerId: string, key: string) => Effect.Effect<'uses' | 'released' | 'absent', never, R>

// A holder that reserved a key but never came into existence (it crashed between the two
// writes) keeps the key this long before another owner may take it over.
const ABSENT_HOLDER_GRACE_MS = 5 * 60_000

const reservationIdOf = (scope: ReservationScope, key: string) => keyDigest(scope, key)

/**
 * Claims a unique key (a target name, a username) before the aggregate that will use it is
 * written. A reservation left behind by a holder that no longer uses the key (it was renamed or
 * removed and crashed before releasing) is taken over instead of blocking the name forever.
 */
export const reserveKey = <R>(scope: ReservationScope, key: string, ownerId: string, stillUses: HolderCheck<R>, context: CommandContext) =>
  Effect.gen(function* () {
    const reservationId = reservationIdOf(scope, key)
    const claim = (takeOver: { ownerId: string; generation: number } | null) =>
      handleCommand(
        reservations,
        { type: 'ReserveKey', reservationId, scope, key, ownerId, takeOver, at: context.now },
        stepContext(context, `reserve-${scope}`)
      )
    // The common case costs one publish: a free key, or our own. Only a refusal makes us ask
    // the holder whether it still uses the key.
    return yield* claim(null).pipe(
      Effect.catchTag('Rejected', (refused) =>
        Effect.gen(function* () {
          if (refused.rejection._tag !== 'AlreadyExists') return yield* Effect.fail(refused)
          const current = yield* loadState(reservations, reservationId, true)
          if (current.status !== 'held' || current.ownerId === ownerId) return yield* claim(null)
          const holder = yield* stillUses(current.ownerId, key)
          if (holder === 'uses') return yield* Effect.fail(refused)
          if (holder === 'absent' && Date.now() - (yield* reservedAt(reservationId)) < ABSENT_HOLDER_GRACE_MS) return yield* Effect.fail(refused)
          return yield* claim({ ownerId: current.ownerId, generation: current.generation })
        })
      )
    )
  })

/** When the key's current reservation was made (from its event's envelope). */
const reservedAt = (reservationId: string) =>
  Effect.gen(function* () {
    const stored = yield* (yield* EventStore).load(reservations.kind, reservationId)
    const last = [...stored.events].reverse().find((e) => e.type === 'KeyReserved')
    return last ? Date.parse(last.meta.occurredAt) : 0
  })

export const releaseKey = (scope: ReservationScope, key: string, ownerId: string, context: CommandContext) =>
  handleCommand(
    reservations,
    { type: 'ReleaseKey', reservationId: reservationIdOf(scope, key), ownerId, at: context.now },
    stepContext(context, `release-${scope}`)
  )

export type { ReservationState }
