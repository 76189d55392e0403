import { Effect } from 'effect'
import { reservations, type ReservationScope, type ReservationState } from '../domains/reservations/index.ts'
import { handleCommand, loadState, type CommandContext } from './handler.ts'
import { keyDigest } from './ids.ts'

/** Answers "does this aggregate still use the key it reserved?" from the aggregate's own stream. */
export type HolderCheck<R> = (ownerId: string, key: string) => Effect.Effect<boolean, never, R>

const reservationIdOf = (scope: ReservationScope, key: string) => keyDigest(scope, key)

const subContext = (context: CommandContext, step: string): CommandContext => ({
  ...context,
  commandId: `${context.commandId}/${step}`,
  causationId: context.commandId,
  correlationId: context.correlationId ?? context.commandId,
  // Only the main command waits for the sink; reservations need not be readable at once.
  awaitCommittedMs: 0
})

/**
 * Claims a unique key (a target name, a username) before the aggregate that will use it is
 * written. A reservation left behind by a holder that no longer uses the key (it was renamed or
 * removed and crashed before releasing) is taken over instead of blocking the name forever.
 */
export const reserveKey = <R>(scope: ReservationScope, key: string, ownerId: string, stillUses: HolderCheck<R>, context: CommandContext) =>
  Effect.gen(function* () {
    const reservationId = reservationIdOf(scope, key)
    const current = yield* loadState(reservations, reservationId, true)
    const holderStillUsesKey = current.status === 'held' && current.ownerId !== ownerId ? yield* stillUses(current.ownerId, key) : true
    return yield* handleCommand(
      reservations,
      { type: 'ReserveKey', reservationId, scope, key, ownerId, holderStillUsesKey, at: context.now },
      subContext(context, `reserve-${scope}`)
    )
  })

export const releaseKey = (scope: ReservationScope, key: string, ownerId: string, context: CommandContext) =>
  handleCommand(
    reservations,
    { type: 'ReleaseKey', reservationId: reservationIdOf(scope, key), ownerId, at: context.now },
    subContext(context, `release-${scope}`)
  )

export type { ReservationState }
