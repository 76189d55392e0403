import type { ReservationCommand } from './commands.ts'
import { reservationDecider } from './decider.ts'

export * from './commands.ts'
export * from './events.ts'
export * from './errors.ts'
export { reservationDecider, reservationKey, type ReservationState } from './decider.ts'

/** One stream per unique key: `ops.evt.reservation.<hash of scope:key>`. */
export const reservations = {
  kind: 'reservation',
  streamId: (c: ReservationCommand) => c.reservationId,
  decider: reservationDecider,
  // Most names are claimed once, on a stream that does not exist yet.
  startsStream: (c: ReservationCommand) => c.type === 'ReserveKey'
} as const
