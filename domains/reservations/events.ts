import type { DomainEvent } from '../shared/index.ts'
import type { ReservationScope } from './commands.ts'

/** `previousOwnerId` is set when a stale reservation was taken over, null for a free key. */
export type KeyReserved = DomainEvent<
  'KeyReserved',
  { reservationId: string; scope: ReservationScope; key: string; ownerId: string; previousOwnerId: string | null }
>
export type KeyReleased = DomainEvent<'KeyReleased', { reservationId: string; scope: ReservationScope; key: string; ownerId: string }>

export type ReservationEvent = KeyReserved | KeyReleased
