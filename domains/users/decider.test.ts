import { describe, expect, it } from 'vitest'
import { specFor } from '../shared/testing.ts'
import type { UserEvent } from './events.ts'
import { userDecider } from './decider.ts'

const spec = specFor(userDecider)
const userId = '6f1c2a4e-1b2c-4d3e-8f90-0a1b2c3d4e5f'
const at = '2025-01-01T00:00:00.000Z'
const hash = '$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA'
const otherHash = '$argon2id$v=19$m=65536,t=3,p=4$b3RoZXJzYWx0$b3RoZXJoYXNob3RoZXJoYXNob3RoZXJoYXNo'

const register = { type: 'RegisterUser', userId, username: 'alice', passwordHash: hash, role: 'OPERATOR', at } as const
const registered: UserEvent = { type: 'UserRegistered', data: { userId, username: 'alice', passwordHash: hash, role: 'OPERATOR' } }
const disabled: UserEvent = { type: 'UserDisabled', data: { userId } }

describe('User', () => {
  describe('when absent', () => {
    it('registers a user', () => spec().when(register).then([registered]))
    it('accepts usernames with dots, at-signs and hyphens', () =>
      spec()
        .when({ ...register, username: 'ops.bot-1@corp' })
        .then([{ type: 'UserRegistered', data: { ...registered.data, username: 'ops.bot-1@corp' } }]))
    it('rejects a malformed id', () => spec().when({ ...register, userId: 'nope' }).thenRejects('InvalidInput', 'id'))
    it('rejects an empty username', () => spec().when({ ...register, username: '' }).thenRejects('InvalidInput', 'username'))
    it('rejects a username shorter than 3 characters', () => spec().when({ ...register, username: 'al' }).thenRejects('InvalidInput', 'username'))
    it('rejects a username longer than 64 characters', () =>
      spec().when({ ...register, username: 'a'.repeat(65) }).thenRejects('InvalidInput', 'username'))
    it('rejects an upper-case username, saying so', () => {
      const rejection = spec().when({ ...register, username: 'Alice' }).thenRejects('InvalidInput', 'username')
      expect(rejection.message).toBe('username: must be lower case')
    })
    it('rejects a username with a space', () => spec().when({ ...register, username: 'al ice' }).thenRejects('InvalidInput', 'username'))
    it('rejects a username starting with a dot', () => spec().when({ ...register, username: '.alice' }).thenRejects('InvalidInput', 'username'))
    it('rejects a plain password instead of a hash, without echoing it', () => {
      const rejection = spec().when({ ...register, passwordHash: 'hunter2hunter2' }).thenRejects('InvalidInput', 'password')
      expect(rejection.message).not.toContain('hunter2')
    })
    it('rejects an argon2i (not argon2id) hash', () =>
      spec().when({ ...register, passwordHash: hash.replace('argon2id', 'argon2i') }).thenRejects('InvalidInput', 'password'))
    it('rejects an unknown role', () =>
      spec()
        .when({ ...register, role: 'ROOT' as 'ADMIN' })
        .thenRejects('InvalidInput', 'role'))
    it('rejects changing the role of a missing user', () =>
      spec().when({ type: 'ChangeUserRole', userId, role: 'ADMIN', at }).thenRejects('UserNotFound'))
    it('rejects changing the password of a missing user', () =>
      spec().when({ type: 'ChangeUserPassword', userId, passwordHash: hash, at }).thenRejects('UserNotFound'))
    it('rejects disabling a missing user', () => spec().when({ type: 'DisableUser', userId, at }).thenRejects('UserNotFound'))
    it('rejects enabling a missing user', () => spec().when({ type: 'EnableUser', userId, at }).thenRejects('UserNotFound'))
  })

  describe('when registered', () => {
    it('ignores the same registration sent again', () => spec([registered]).when(register).thenNothing())
    it('rejects a second registration with another username', () =>
      spec([registered]).when({ ...register, username: 'bob' }).thenRejects('UserAlreadyRegistered'))
    it('rejects a second registration with another role', () =>
      spec([registered]).when({ ...register, role: 'ADMIN' }).thenRejects('UserAlreadyRegistered'))
    it('changes the role', () =>
      spec([registered])
        .when({ type: 'ChangeUserRole', userId, role: 'ADMIN', at })
        .then([{ type: 'UserRoleChanged', data: { userId, role: 'ADMIN', previousRole: 'OPERATOR' } }]))
    it('ignores a change to the role the user already has', () =>
      spec([registered]).when({ type: 'ChangeUserRole', userId, role: 'OPERATOR', at }).thenNothing())
    it('rejects an unknown role', () =>
      spec([registered])
        .when({ type: 'ChangeUserRole', userId, role: 'GOD' as 'ADMIN', at })
        .thenRejects('InvalidInput', 'role'))
    it('changes the password', () =>
      spec([registered])
        .when({ type: 'ChangeUserPassword', userId, passwordHash: otherHash, at })
        .then([{ type: 'UserPasswordChanged', data: { userId, passwordHash: otherHash } }]))
    it('ignores a password change to the same hash', () =>
      spec([registered]).when({ type: 'ChangeUserPassword', userId, passwordHash: hash, at }).thenNothing())
    it('rejects a plain new password', () =>
      spec([registered]).when({ type: 'ChangeUserPassword', userId, passwordHash: 'secret', at }).thenRejects('InvalidInput', 'password'))
    it('disables the user', () => spec([registered]).when({ type: 'DisableUser', userId, at }).then([disabled]))
    it('ignores enabling an active user', () => spec([registered]).when({ type: 'EnableUser', userId, at }).thenNothing())
    it('rejects a malformed id', () => spec([registered]).when({ type: 'DisableUser', userId: '42', at }).thenRejects('InvalidInput', 'id'))
  })

  describe('when disabled', () => {
    it('enables the user again', () =>
      spec([registered, disabled]).when({ type: 'EnableUser', userId, at }).then([{ type: 'UserEnabled', data: { userId } }]))
    it('ignores a second disable', () => spec([registered, disabled]).when({ type: 'DisableUser', userId, at }).thenNothing())
    it('still lets an admin reset the password', () =>
      spec([registered, disabled])
        .when({ type: 'ChangeUserPassword', userId, passwordHash: otherHash, at })
        .then([{ type: 'UserPasswordChanged', data: { userId, passwordHash: otherHash } }]))
  })
})
