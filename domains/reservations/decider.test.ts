import { describe, expect, it } from 'vitest'
import { specFor } from '../shared/testing.ts'
import type { ReserveKey } from './commands.ts'
import { reservationDecider, reservationKey } from './decider.ts'
import type { ReservationEvent } from './events.ts'

const spec = specFor(reservationDecider)
const reservationId = '3f2a9c0b7e'
const alice = '0a0a0a0a-1111-4222-8333-444444444444'
const bob = '0b0b0b0b-1111-4222-8333-444444444444'
const at = '2025-01-01T00:00:00.000Z'

const reserve: ReserveKey = { type: 'ReserveKey', reservationId, scope: 'target-name', key: 'web-1', ownerId: alice, at }
const reserved: ReservationEvent = { type: 'KeyReserved', data: { reservationId, scope: 'target-name', key: 'web-1', ownerId: alice, previousOwnerId: null } }
const released: ReservationEvent = { type: 'KeyReleased', data: { reservationId, scope: 'target-name', key: 'web-1', ownerId: alice } }
const release = (ownerId: string) => ({ type: 'ReleaseKey' as const, reservationId, ownerId, at })

describe('Reservation', () => {
  describe('when free', () => {
    it('reserves the key', () => spec().when(reserve).then([reserved]))
    it('ignores a release', () => spec().when(release(alice)).thenNothing())
    it('rejects an unknown scope', () => spec().when({ ...reserve, scope: 'job-name' as 'username' }).thenRejects('InvalidInput', 'scope'))
    it('rejects an empty key', () => spec().when({ ...reserve, key: '' }).thenRejects('InvalidInput', 'key'))
    it('rejects a key over 256 characters', () => spec().when({ ...reserve, key: 'k'.repeat(257) }).thenRejects('InvalidInput', 'key'))
    it('rejects a malformed owner id', () => spec().when({ ...reserve, ownerId: 'alice' }).thenRejects('InvalidInput', 'ownerId'))
    it('rejects a reservation id that is not a subject token', () =>
      spec().when({ ...reserve, reservationId: 'a.b' }).thenRejects('InvalidInput', 'reservationId'))
  })

  describe('when held', () => {
    it('ignores the same owner reserving again', () => spec([reserved]).when(reserve).thenNothing())
    it('rejects another owner while the holder still uses the key', () => {
      const rejection = spec([reserved]).when({ ...reserve, ownerId: bob }).thenRejects('AlreadyExists', 'name')
      expect(rejection.message).toBe('target name "web-1" already exists')
      expect(rejection.category).toBe('conflict')
    })
    it('names the username field for usernames', () => {
      const taken: ReservationEvent = { type: 'KeyReserved', data: { ...reserved.data, scope: 'username', key: 'alice' } as typeof reserved.data }
      spec([taken]).when({ ...reserve, scope: 'username', key: 'alice', ownerId: bob }).thenRejects('AlreadyExists', 'username')
    })
    it('takes over a stale reservation the holder no longer uses', () =>
      spec([reserved])
        .when({ ...reserve, ownerId: bob, takeOver: { ownerId: alice, generation: 1 } })
        .then([{ type: 'KeyReserved', data: { ...reserved.data, ownerId: bob, previousOwnerId: alice } } as ReservationEvent]))
    it('does not take over a reservation made after the holder was checked, even by the same holder', () =>
      spec([reserved, released, reserved]).when({ ...reserve, ownerId: bob, takeOver: { ownerId: alice, generation: 1 } }).thenRejects('AlreadyExists'))
    it('rejects a claim for another key on the same stream', () =>
      spec([reserved]).when({ ...reserve, key: 'web-2' }).thenRejects('ReservationKeyMismatch'))
    it('releases the key for its holder', () => spec([reserved]).when(release(alice)).then([released]))
    it('ignores a release by someone else', () => spec([reserved]).when(release(bob)).thenNothing())
  })

  describe('when released', () => {
    it('lets another owner reserve the key', () =>
      spec([reserved, released])
        .when({ ...reserve, ownerId: bob })
        .then([{ type: 'KeyReserved', data: { ...reserved.data, ownerId: bob } } as ReservationEvent]))
    it('ignores a second release', () => spec([reserved, released]).when(release(alice)).thenNothing())
    it('still rejects another key on the same stream', () =>
      spec([reserved, released]).when({ ...reserve, scope: 'username' }).thenRejects('ReservationKeyMismatch'))
  })

  it('derives the hashed text from scope and key', () => expect(reservationKey('username', 'alice')).toBe('username:alice'))
})
