import { describe, expect, it } from 'vitest'
import { specFor } from '../shared/testing.ts'
import type { SealedSecret } from './commands.ts'
import { credentialDecider } from './decider.ts'
import type { CredentialEvent } from './events.ts'
import { checkSecretMaterial } from './validate.ts'

const spec = specFor(credentialDecider)
const credentialId = '0e9c1d2a-3b4c-4d5e-8f60-718293a4b5c6'
const at = '2025-01-01T00:00:00.000Z'
const secret: SealedSecret = {
  keyId: '11111111-2222-4333-8444-555555555555',
  iv: 'AAECAwQFBgcICQoL',
  ciphertext: 'c2VhbGVkIGJ5dGVz',
  authTag: 'AAECAwQFBgcICQoLDA0ODw==',
  algorithm: 'aes-256-gcm'
}
const newSecret: SealedSecret = { ...secret, keyId: '99999999-2222-4333-8444-555555555555', ciphertext: 'bmV3IGJ5dGVz' }

const create = { type: 'CreateCredential', credentialId, name: 'prod ssh', kind: 'SSH_PASSWORD', username: 'deploy', secret, at } as const
const created: CredentialEvent = {
  type: 'CredentialCreated',
  data: { credentialId, name: 'prod ssh', kind: 'SSH_PASSWORD', username: 'deploy', secret }
}
const deleted: CredentialEvent = { type: 'CredentialDeleted', data: { credentialId, name: 'prod ssh', keyId: secret.keyId } }

describe('Credential', () => {
  describe('when absent', () => {
    it('creates a credential', () => spec().when(create).then([created]))
    it('rejects a malformed id', () => spec().when({ ...create, credentialId: 'x' }).thenRejects('InvalidInput', 'id'))
    it('rejects an empty name', () => spec().when({ ...create, name: '' }).thenRejects('InvalidInput', 'name'))
    it('rejects a name over 128 characters', () => spec().when({ ...create, name: 'a'.repeat(129) }).thenRejects('InvalidInput', 'name'))
    it('rejects a name with a slash', () => spec().when({ ...create, name: 'prod/ssh' }).thenRejects('InvalidInput', 'name'))
    it('rejects a name with a trailing space', () => spec().when({ ...create, name: 'prod ' }).thenRejects('InvalidInput', 'name'))
    it('rejects an unknown kind', () => spec().when({ ...create, kind: 'TELNET' as 'SSH_KEY' }).thenRejects('InvalidInput', 'kind'))
    it('rejects an empty username', () => spec().when({ ...create, username: '' }).thenRejects('InvalidInput', 'username'))
    it('rejects a username with control characters', () =>
      spec().when({ ...create, username: 'de\u0000ploy' }).thenRejects('InvalidInput', 'username'))
    it('rejects a username over 128 characters', () =>
      spec().when({ ...create, username: 'u'.repeat(129) }).thenRejects('InvalidInput', 'username'))
    it('rejects a secret with a malformed key id', () =>
      spec().when({ ...create, secret: { ...secret, keyId: 'k' } }).thenRejects('InvalidInput', 'secret.keyId'))
    it('rejects a secret whose IV is not 12 bytes of base64', () =>
      spec().when({ ...create, secret: { ...secret, iv: 'not base64!' } }).thenRejects('InvalidInput', 'secret.iv'))
    it('rejects a secret with a short auth tag', () =>
      spec().when({ ...create, secret: { ...secret, authTag: 'AAEC' } }).thenRejects('InvalidInput', 'secret.authTag'))
    it('rejects an empty ciphertext', () =>
      spec().when({ ...create, secret: { ...secret, ciphertext: '' } }).thenRejects('InvalidInput', 'secret.ciphertext'))
    it('rejects another algorithm', () =>
      spec()
        .when({ ...create, secret: { ...secret, algorithm: 'aes-128-cbc' as 'aes-256-gcm' } })
        .thenRejects('InvalidInput', 'secret.algorithm'))
    it('rejects rotating a missing credential', () =>
      spec().when({ type: 'RotateCredential', credentialId, secret, at }).thenRejects('CredentialNotFound'))
    it('rejects deleting a missing credential', () =>
      spec().when({ type: 'DeleteCredential', credentialId, at }).thenRejects('CredentialNotFound'))
  })

  describe('when created', () => {
    it('ignores the same creation sent again', () => spec([created]).when(create).thenNothing())
    it('rejects a second creation with another name', () =>
      spec([created]).when({ ...create, name: 'other' }).thenRejects('CredentialAlreadyCreated'))
    it('rotates the secret, naming the data key to destroy', () =>
      spec([created])
        .when({ type: 'RotateCredential', credentialId, secret: newSecret, at })
        .then([{ type: 'CredentialRotated', data: { credentialId, username: 'deploy', secret: newSecret, previousKeyId: secret.keyId } }]))
    it('rotates the secret and the username together', () =>
      spec([created])
        .when({ type: 'RotateCredential', credentialId, secret: newSecret, username: 'ops', at })
        .then([{ type: 'CredentialRotated', data: { credentialId, username: 'ops', secret: newSecret, previousKeyId: secret.keyId } }]))
    it('ignores a rotation to the very same sealed secret', () =>
      spec([created]).when({ type: 'RotateCredential', credentialId, secret, at }).thenNothing())
    it('rejects a rotation with a malformed secret', () =>
      spec([created])
        .when({ type: 'RotateCredential', credentialId, secret: { ...secret, iv: '' }, at })
        .thenRejects('InvalidInput', 'secret.iv'))
    it('rejects a rotation with an empty username', () =>
      spec([created]).when({ type: 'RotateCredential', credentialId, secret: newSecret, username: ' ', at }).thenRejects('InvalidInput', 'username'))
    it('deletes the credential, naming the data key to destroy', () =>
      spec([created]).when({ type: 'DeleteCredential', credentialId, at }).then([deleted]))
    it('is terminal only once deleted', () => {
      const state = [created].reduce(credentialDecider.evolve, credentialDecider.initialState)
      expect(credentialDecider.isTerminal?.(state)).toBe(false)
      expect(credentialDecider.isTerminal?.(credentialDecider.evolve(state, deleted))).toBe(true)
    })
  })

  describe('when deleted', () => {
    it('ignores a second delete', () => spec([created, deleted]).when({ type: 'DeleteCredential', credentialId, at }).thenNothing())
    it('rejects a rotation', () =>
      spec([created, deleted]).when({ type: 'RotateCredential', credentialId, secret: newSecret, at }).thenRejects('CredentialAlreadyDeleted'))
    it('rejects re-creating it', () => spec([created, deleted]).when(create).thenRejects('CredentialAlreadyDeleted'))
  })
})

const pem = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n'
const encryptedPem = '-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIFHDBOBgkqhkiG9w0BBQ0wQTAp\n-----END ENCRYPTED PRIVATE KEY-----'

describe('checkSecretMaterial', () => {
  it('accepts a password for SSH_PASSWORD and WINRM_PASSWORD', () => {
    expect(checkSecretMaterial('SSH_PASSWORD', { password: 's3cret' })).toBeUndefined()
    expect(checkSecretMaterial('WINRM_PASSWORD', { password: 's3cret' })).toBeUndefined()
  })
  it('requires a password for password kinds', () => expect(checkSecretMaterial('SSH_PASSWORD', {})?.field).toBe('password'))
  it('rejects an empty password', () => expect(checkSecretMaterial('WINRM_PASSWORD', { password: '' })?.field).toBe('password'))
  it('rejects a password over 1024 characters without echoing it', () => {
    const fault = checkSecretMaterial('SSH_PASSWORD', { password: 'p'.repeat(1025) })
    expect(fault?.field).toBe('password')
    expect(fault?.message).not.toContain('pppp')
  })
  it('rejects a private key on a password kind', () =>
    expect(checkSecretMaterial('SSH_PASSWORD', { password: 'x', privateKey: pem })?.field).toBe('privateKey'))
  it('accepts an OpenSSH private key', () => expect(checkSecretMaterial('SSH_KEY', { privateKey: pem })).toBeUndefined())
  it('accepts a key with a passphrase', () => expect(checkSecretMaterial('SSH_KEY', { privateKey: pem, passphrase: 'pw' })).toBeUndefined())
  it('requires a private key for SSH_KEY', () => expect(checkSecretMaterial('SSH_KEY', {})?.field).toBe('privateKey'))
  it('rejects a private key that is not PEM, without echoing it', () => {
    const fault = checkSecretMaterial('SSH_KEY', { privateKey: 'ssh-ed25519 AAAAC3Nza my-public-key' })
    expect(fault?.field).toBe('privateKey')
    expect(fault?.message).not.toContain('AAAAC3Nza')
  })
  it('rejects a public key block', () =>
    expect(checkSecretMaterial('SSH_KEY', { privateKey: '-----BEGIN PUBLIC KEY-----\nabc\n-----END PUBLIC KEY-----' })?.field).toBe('privateKey'))
  it('rejects a private key over 16 KiB', () =>
    expect(checkSecretMaterial('SSH_KEY', { privateKey: pem.replace('AAAAA', 'A'.repeat(16384)) })?.field).toBe('privateKey'))
  it('requires the passphrase of an encrypted PEM key', () =>
    expect(checkSecretMaterial('SSH_KEY', { privateKey: encryptedPem })?.field).toBe('passphrase'))
  it('rejects a passphrase over 1024 characters', () =>
    expect(checkSecretMaterial('SSH_KEY', { privateKey: pem, passphrase: 'x'.repeat(1025) })?.field).toBe('passphrase'))
  it('rejects a password on SSH_KEY', () => expect(checkSecretMaterial('SSH_KEY', { privateKey: pem, password: 'x' })?.field).toBe('password'))
  it('rejects an unknown kind', () => expect(checkSecretMaterial('FTP' as 'SSH_KEY', { password: 'x' })?.field).toBe('kind'))
})
