import { alreadyExists, type AlreadyExists, type InvalidInput, type Rejection } from '../shared/index.ts'
import type { ReservationScope } from './commands.ts'

const WHAT: Readonly<Record<ReservationScope, { what: string; field: string }>> = {
  'target-name': { what: 'target name', field: 'name' },
  username: { what: 'username', field: 'username' },
  'credential-name': { what: 'credential name', field: 'name' }
}

/** e.g. `target name "web-1" already exists`, field `name`. */
export const keyTaken = (scope: ReservationScope, key: string): AlreadyExists => alreadyExists(WHAT[scope].what, key, WHAT[scope].field)

/**
 * The stream holds another key than the command names: two keys hashed to one id, or the caller
 * computed the id wrongly. Either way, taking it would hand one key's reservation to another.
 */
export interface ReservationKeyMismatch extends Rejection<'ReservationKeyMismatch'> {}
export const reservationKeyMismatch = (reservationId: string): ReservationKeyMismatch => ({
  _tag: 'ReservationKeyMismatch',
  category: 'conflict',
  message: `reservation ${reservationId} belongs to another key`
})

export type ReservationRejection = InvalidInput | AlreadyExists | ReservationKeyMismatch
