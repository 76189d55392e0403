import { absurd, accept, firstInvalid, oneOf, reject, text, uuid, type Decider, type Decision } from '../shared/index.ts'
import { RESERVATION_SCOPES, type ReleaseKey, type ReservationCommand, type ReservationScope, type ReserveKey } from './commands.ts'
import { keyTaken, reservationKeyMismatch, type ReservationRejection } from './errors.ts'
import type { ReservationEvent } from './events.ts'

/**
 * Scope and key stay known after a release, so a later claim can be checked against them.
 * `generation` counts the reservations made so far: a takeover names the one it found unused.
 */
export type ReservationState =
  | { readonly status: 'free' }
  | { readonly status: 'released'; readonly scope: ReservationScope; readonly key: string; readonly generation: number }
  | { readonly status: 'held'; readonly scope: ReservationScope; readonly key: string; readonly ownerId: string; readonly generation: number }

export const initialState: ReservationState = { status: 'free' }

export const evolve = (state: ReservationState, event: ReservationEvent): ReservationState => {
  switch (event.type) {
    case 'KeyReserved':
      return {
        status: 'held',
        scope: event.data.scope,
        key: event.data.key,
        ownerId: event.data.ownerId,
        generation: (state.status === 'free' ? 0 : state.generation) + 1
      }
    case 'KeyReleased':
      return state.status === 'held' && state.ownerId === event.data.ownerId
        ? { status: 'released', scope: state.scope, key: state.key, generation: state.generation }
        : state
    default:
      return absurd(event)
  }
}

// The id is a subject token (`ops.evt.reservation.<id>`): no dots, wildcards or spaces.
const checkReservationId = (value: unknown) =>
  text('reservationId', value, { max: 128, pattern: /^[A-Za-z0-9_-]+$/, patternHint: 'must be a hash of letters, digits, "_" and "-"' })

type ReservationDecision = Decision<ReservationEvent, ReservationRejection>

const reserve = (command: ReserveKey, state: ReservationState): ReservationDecision => {
  const fault = firstInvalid(
    checkReservationId(command.reservationId),
    oneOf('scope', command.scope, RESERVATION_SCOPES),
    text('key', command.key, { max: 256 }),
    uuid('ownerId', command.ownerId)
  )
  if (fault) return reject(fault)
  const { reservationId, scope, key, ownerId } = command
  if (state.status !== 'free' && (state.scope !== scope || state.key !== key)) return reject(reservationKeyMismatch(reservationId))
  if (state.status === 'held') {
    if (state.ownerId === ownerId) return accept()
    // The caller checked the holder's stream: a holder that was removed or renamed without
    // releasing (a crash between the two writes) must not block the key forever. Only the very
    // reservation that was checked is taken over.
    const { takeOver } = command
    if (!takeOver || takeOver.ownerId !== state.ownerId || takeOver.generation !== state.generation) return reject(keyTaken(scope, key))
  }
  const previousOwnerId = state.status === 'held' ? state.ownerId : null
  return accept({ type: 'KeyReserved', data: { reservationId, scope, key, ownerId, previousOwnerId } })
}

/** Releasing a key one does not hold changes nothing: another owner may have taken it over. */
const release = (command: ReleaseKey, state: ReservationState): ReservationDecision => {
  const fault = firstInvalid(checkReservationId(command.reservationId), uuid('ownerId', command.ownerId))
  if (fault) return reject(fault)
  if (state.status !== 'held' || state.ownerId !== command.ownerId) return accept()
  return accept({ type: 'KeyReleased', data: { reservationId: command.reservationId, scope: state.scope, key: state.key, ownerId: state.ownerId } })
}

export const decide = (command: ReservationCommand, state: ReservationState): ReservationDecision => {
  switch (command.type) {
    case 'ReserveKey':
      return reserve(command, state)
    case 'ReleaseKey':
      return release(command, state)
    default:
      return absurd(command)
  }
}

export const reservationDecider: Decider<ReservationCommand, ReservationEvent, ReservationState, ReservationRejection> = {
  initialState,
  evolve,
  decide
}

/** The text the caller hashes into `reservationId`; keys are compared exactly (normalise first). */
export const reservationKey = (scope: ReservationScope, key: string): string => `${scope}:${key}`
