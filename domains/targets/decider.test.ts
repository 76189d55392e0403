import { describe, expect, it } from 'vitest'
import { specFor } from '../shared/testing.ts'
import type { RegisterTarget } from './commands.ts'
import { targetDecider } from './decider.ts'
import type { TargetEvent } from './events.ts'
import { checkCredentialFitsConnection } from './validate.ts'

const spec = specFor(targetDecider)
const targetId = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d'
const credentialId = 'c0ffee00-1234-4abc-9def-0123456789ab'
const otherCredentialId = 'c0ffee00-1234-4abc-9def-ba9876543210'
const at = '2025-01-01T00:00:00.000Z'
const key1 = `ssh-ed25519 SHA256:${'A'.repeat(43)}`
const key2 = `ssh-ed25519 SHA256:${'B'.repeat(43)}`

const register: RegisterTarget = { type: 'RegisterTarget', targetId, name: 'web-1', address: 'web-1.example.com', connection: 'SSH', tags: ['web', 'prod', 'web'], at }
const registered: TargetEvent = {
  type: 'TargetRegistered',
  data: { targetId, name: 'web-1', address: 'web-1.example.com', port: 22, connection: 'SSH', credentialId: null, tags: ['prod', 'web'], attributes: {} }
}
const localRegistered: TargetEvent = {
  type: 'TargetRegistered',
  data: { targetId, name: 'me', address: 'localhost', port: null, connection: 'LOCAL', credentialId: null, tags: [], attributes: {} }
}
const assigned: TargetEvent = { type: 'TargetCredentialAssigned', data: { targetId, credentialId } }
const pinned: TargetEvent = { type: 'TargetHostKeyPinned', data: { targetId, hostKey: key1, previousHostKey: null } }
const removed: TargetEvent = { type: 'TargetRemoved', data: { targetId, name: 'web-1' } }
const update = (fields: object) => ({ type: 'UpdateTarget' as const, targetId, at, ...fields })
const updated = (fields: object): TargetEvent => ({ type: 'TargetUpdated', data: { targetId, ...fields } })

describe('Target', () => {
  describe('when absent', () => {
    it('registers an SSH target on port 22 with sorted, unique tags', () => spec().when(register).then([registered]))
    it('registers a WinRM target on port 5986', () =>
      spec()
        .when({ ...register, connection: 'WINRM', tags: [] })
        .then([{ type: 'TargetRegistered', data: { ...registered.data, connection: 'WINRM', port: 5986, tags: [] } } as TargetEvent]))
    it('registers a LOCAL target on localhost without port or credential', () =>
      spec().when({ ...register, name: 'me', address: 'localhost', connection: 'LOCAL', tags: undefined }).then([localRegistered]))
    it('keeps an explicit port, a credential and sorted attributes', () =>
      spec()
        .when({ ...register, port: 2222, credentialId, attributes: { rack: 'b2', os: 'debian' } })
        .then([{ type: 'TargetRegistered', data: { ...registered.data, port: 2222, credentialId, attributes: { os: 'debian', rack: 'b2' } } } as TargetEvent]))
    it.each(['10.0.0.1', '255.255.255.255', '::1', '2001:db8::8a2e:370:7334', '::ffff:192.0.2.1', 'fe80::1%eth0', '1:2:3:4:5:6:7:8', '::', 'a.b-c.example', 'xn--bcher-kva.ch'])(
      'accepts the address %s',
      (address) => {
        const decision = targetDecider.decide({ ...register, address }, targetDecider.initialState)
        expect(decision.ok).toBe(true)
      }
    )
    it.each([
      '',
      '10.0.0.256',
      '010.0.0.1',
      '10.0.0',
      '1:2:3:4:5:6:7:8:9',
      '1.2.3.4::',
      '1::2::3',
      '[::1]',
      '2001:db8::g',
      '-web.example',
      'web_1.example',
      'web..example',
      `${'a'.repeat(64)}.example`,
      `${'abcdefghi.'.repeat(26)}com`,
      'http://web'
    ])('rejects the address %j', (address) => {
      spec().when({ ...register, address }).thenRejects('InvalidInput', 'address')
    })
    it('rejects a malformed id', () => spec().when({ ...register, targetId: '1' }).thenRejects('InvalidInput', 'id'))
    it('rejects an empty name', () => spec().when({ ...register, name: '' }).thenRejects('InvalidInput', 'name'))
    it('rejects a name over 128 characters', () => spec().when({ ...register, name: 'w'.repeat(129) }).thenRejects('InvalidInput', 'name'))
    it('rejects a name with a space', () => spec().when({ ...register, name: 'web 1' }).thenRejects('InvalidInput', 'name'))
    it('rejects an unknown connection', () => spec().when({ ...register, connection: 'TELNET' as 'SSH' }).thenRejects('InvalidInput', 'connection'))
    it('rejects port 70000, saying what it got', () => {
      const rejection = spec().when({ ...register, port: 70000 }).thenRejects('InvalidInput', 'port')
      expect(rejection.message).toBe('port: must be an integer from 1 to 65535 (got 70000)')
    })
    it('rejects a fractional port', () => spec().when({ ...register, port: 22.5 }).thenRejects('InvalidInput', 'port'))
    it('rejects a port on a LOCAL target', () =>
      spec().when({ ...register, address: 'localhost', connection: 'LOCAL', port: 22 }).thenRejects('InvalidInput', 'port'))
    it('rejects a credential on a LOCAL target', () =>
      spec().when({ ...register, address: 'localhost', connection: 'LOCAL', credentialId }).thenRejects('InvalidInput', 'credentialId'))
    it('rejects a malformed credential id', () => spec().when({ ...register, credentialId: 'cred' }).thenRejects('InvalidInput', 'credentialId'))
    it('rejects a tag using a filter operator', () => spec().when({ ...register, tags: ['web', 'a:b'] }).thenRejects('InvalidInput', 'tags[1]'))
    it('rejects an empty tag', () => spec().when({ ...register, tags: [''] }).thenRejects('InvalidInput', 'tags[0]'))
    it('rejects a tag over 64 characters', () => spec().when({ ...register, tags: ['t'.repeat(65)] }).thenRejects('InvalidInput', 'tags[0]'))
    it('rejects more than 64 tags', () =>
      spec().when({ ...register, tags: Array.from({ length: 65 }, (_, i) => `t${i}`) }).thenRejects('InvalidInput', 'tags'))
    it('rejects a reserved attribute key', () => spec().when({ ...register, attributes: { name: 'x' } }).thenRejects('InvalidInput', 'attributes.name'))
    it('rejects an upper-case attribute key', () => spec().when({ ...register, attributes: { Rack: 'x' } }).thenRejects('InvalidInput', 'attributes.Rack'))
    it('rejects an attribute value over 256 characters', () =>
      spec().when({ ...register, attributes: { rack: 'x'.repeat(257) } }).thenRejects('InvalidInput', 'attributes.rack'))
    it('rejects more than 32 attributes', () =>
      spec()
        .when({ ...register, attributes: Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, 'v'])) })
        .thenRejects('InvalidInput', 'attributes'))
    it('rejects commands on a target that does not exist', () => {
      spec().when(update({ name: 'x' })).thenRejects('TargetNotFound')
      spec().when({ type: 'RemoveTarget', targetId, at }).thenRejects('TargetNotFound')
    })
  })

  describe('when registered', () => {
    it('ignores the same registration sent again', () => spec([registered]).when(register).thenNothing())
    it('rejects a second registration with another address', () =>
      spec([registered]).when({ ...register, address: '10.0.0.9' }).thenRejects('TargetAlreadyRegistered'))
    it('updates only the fields that changed', () =>
      spec([registered]).when(update({ name: 'web-1', address: '10.0.0.5', port: 2200 })).then([updated({ address: '10.0.0.5', port: 2200 })]))
    it('records nothing when an update changes nothing', () =>
      spec([registered]).when(update({ name: 'web-1', port: 22, attributes: {} })).thenNothing())
    it('refuses a rename decided on a name the target no longer has', () =>
      spec([registered, updated({ name: 'api-1' })]).when(update({ name: 'db-1', expectedName: 'web-1' })).thenRejects('TargetRenamedMeanwhile', 'name'))
    it('renames when the expected name is the current one, in any case', () =>
      spec([registered]).when(update({ name: 'db-1', expectedName: 'WEB-1' })).then([updated({ name: 'db-1' })]))
    it('moves a default port along with the connection', () =>
      spec([registered]).when(update({ connection: 'WINRM' })).then([updated({ port: 5986, connection: 'WINRM' })]))
    it('keeps a custom port when the connection changes', () =>
      spec([registered, updated({ port: 2200 })]).when(update({ connection: 'WINRM' })).then([updated({ connection: 'WINRM' })]))
    it('resets the port to the default when given null', () =>
      spec([registered, updated({ port: 2200 })]).when(update({ port: null })).then([updated({ port: 22 })]))
    it('replaces the attributes', () =>
      spec([registered]).when(update({ attributes: { os: 'debian' } })).then([updated({ attributes: { os: 'debian' } })]))
    it('rejects an update with a bad address', () => spec([registered]).when(update({ address: 'bad_host' })).thenRejects('InvalidInput', 'address'))
    it('rejects turning a target with a credential into a LOCAL one', () =>
      spec([registered, assigned]).when(update({ connection: 'LOCAL' })).thenRejects('ConnectionMismatch', 'connection'))
    it('tags only with new tags', () =>
      spec([registered]).when({ type: 'TagTarget', targetId, tags: ['web', 'eu', 'db'], at }).then([{ type: 'TargetTagged', data: { targetId, tags: ['db', 'eu'] } }]))
    it('records nothing when all tags are present', () => spec([registered]).when({ type: 'TagTarget', targetId, tags: ['web'], at }).thenNothing())
    it('rejects tagging beyond 64 tags', () =>
      spec([registered]).when({ type: 'TagTarget', targetId, tags: Array.from({ length: 63 }, (_, i) => `t${i}`), at }).thenRejects('InvalidInput', 'tags'))
    it('rejects a malformed tag', () => spec([registered]).when({ type: 'TagTarget', targetId, tags: ['ok', 'a/b'], at }).thenRejects('InvalidInput', 'tags[1]'))
    it('untags only tags it has', () =>
      spec([registered]).when({ type: 'UntagTarget', targetId, tags: ['web', 'nope'], at }).then([{ type: 'TargetUntagged', data: { targetId, tags: ['web'] } }]))
    it('records nothing when untagging absent tags', () => spec([registered]).when({ type: 'UntagTarget', targetId, tags: ['nope'], at }).thenNothing())
    it('assigns a credential', () => spec([registered]).when({ type: 'AssignCredential', targetId, credentialId, at }).then([assigned]))
    it('ignores assigning the same credential again', () =>
      spec([registered, assigned]).when({ type: 'AssignCredential', targetId, credentialId, at }).thenNothing())
    it('replaces a credential', () =>
      spec([registered, assigned])
        .when({ type: 'AssignCredential', targetId, credentialId: otherCredentialId, at })
        .then([{ type: 'TargetCredentialAssigned', data: { targetId, credentialId: otherCredentialId } }]))
    it('unassigns a credential', () =>
      spec([registered, assigned])
        .when({ type: 'AssignCredential', targetId, credentialId: null, at })
        .then([{ type: 'TargetCredentialUnassigned', data: { targetId, credentialId } }]))
    it('ignores unassigning when none is assigned', () =>
      spec([registered]).when({ type: 'AssignCredential', targetId, credentialId: null, at }).thenNothing())
    it('rejects a credential on a LOCAL target', () =>
      spec([localRegistered]).when({ type: 'AssignCredential', targetId, credentialId, at }).thenRejects('ConnectionMismatch', 'credentialId'))
    it('pins the first host key', () => spec([registered]).when({ type: 'PinHostKey', targetId, hostKey: key1, at }).then([pinned]))
    it('ignores pinning the same key again', () => spec([registered, pinned]).when({ type: 'PinHostKey', targetId, hostKey: key1, at }).thenNothing())
    it('rejects a different host key', () =>
      spec([registered, pinned]).when({ type: 'PinHostKey', targetId, hostKey: key2, at }).thenRejects('HostKeyMismatch', 'hostKey'))
    it('replaces the host key on purpose', () =>
      spec([registered, pinned])
        .when({ type: 'PinHostKey', targetId, hostKey: key2, replace: true, at })
        .then([{ type: 'TargetHostKeyPinned', data: { targetId, hostKey: key2, previousHostKey: key1 } }]))
    it('rejects a malformed host key', () =>
      spec([registered]).when({ type: 'PinHostKey', targetId, hostKey: 'ssh-ed25519 AAAAC3Nz', at }).thenRejects('InvalidInput', 'hostKey'))
    it('rejects a host key for a LOCAL target', () =>
      spec([localRegistered]).when({ type: 'PinHostKey', targetId, hostKey: key1, at }).thenRejects('ConnectionMismatch', 'hostKey'))
    it('removes the target, naming it for the reservation', () => spec([registered]).when({ type: 'RemoveTarget', targetId, at }).then([removed]))
  })

  describe('when removed', () => {
    const given = [registered, removed]
    it('is terminal', () => expect(targetDecider.isTerminal?.(given.reduce(targetDecider.evolve, targetDecider.initialState))).toBe(true))
    it('ignores a second removal', () => spec(given).when({ type: 'RemoveTarget', targetId, at }).thenNothing())
    it('rejects an update', () => spec(given).when(update({ name: 'web-2' })).thenRejects('TargetAlreadyRemoved'))
    it('rejects tagging', () => spec(given).when({ type: 'TagTarget', targetId, tags: ['x'], at }).thenRejects('TargetAlreadyRemoved'))
    it('rejects registering it again', () => spec(given).when(register).thenRejects('TargetAlreadyRemoved'))
  })
})

describe('checkCredentialFitsConnection', () => {
  it('lets SSH targets use SSH credentials only', () => {
    expect(checkCredentialFitsConnection('SSH', 'SSH_KEY')).toBeUndefined()
    expect(checkCredentialFitsConnection('SSH', 'WINRM_PASSWORD')?.field).toBe('credentialId')
  })
  it('lets WinRM targets use WinRM credentials only', () => expect(checkCredentialFitsConnection('WINRM', 'SSH_PASSWORD')?.field).toBe('credentialId'))
})
