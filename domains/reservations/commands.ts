export const RESERVATION_SCOPES = ['target-name', 'username', 'credential-name'] as const
export type ReservationScope = (typeof RESERVATION_SCOPES)[number]

/**
 * Claims `key` in `scope` for the aggregate `ownerId`. `reservationId` is computed by the caller
 * from `<scope>:<key>` (see `reservationKey`), so every claim on one key meets on one stream and
 * JetStream's expected-sequence check serialises them. `takeOver` names the reservation the
 * caller found, on the holder's own stream, to be no longer used: only that one may be taken
 * over, not one made after the check (by the same holder or another).
 */
export interface ReserveKey {
  readonly type: 'ReserveKey'
  readonly reservationId: string
  readonly scope: ReservationScope
  readonly key: string
  readonly ownerId: string
  readonly takeOver?: { readonly ownerId: string; readonly generation: number } | null
  readonly at: string
}
/** Given up on rename or removal; only the holder can release. */
export interface ReleaseKey {
  readonly type: 'ReleaseKey'
  readonly reservationId: string
  readonly ownerId: string
  readonly at: string
}

export type ReservationCommand = ReserveKey | ReleaseKey
