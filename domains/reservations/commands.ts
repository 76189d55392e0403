export const RESERVATION_SCOPES = ['target-name', 'username', 'credential-name'] as const
export type ReservationScope = (typeof RESERVATION_SCOPES)[number]

/**
 * Claims `key` in `scope` for the aggregate `ownerId`. `reservationId` is computed by the caller
 * from `<scope>:<key>` (see `reservationKey`), so every claim on one key meets on one stream and
 * JetStream's expected-sequence check serialises them. `holderStillUsesKey` is the caller's
 * answer, read from the current holder's own stream, to "does the holder still use this key?".
 */
export interface ReserveKey {
  readonly type: 'ReserveKey'
  readonly reservationId: string
  readonly scope: ReservationScope
  readonly key: string
  readonly ownerId: string
  readonly holderStillUsesKey: boolean
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
