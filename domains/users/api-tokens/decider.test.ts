import { describe, expect, it } from 'vitest'
import { specFor } from '../../shared/testing.ts'
import { apiTokenDecider } from './decider.ts'
import type { ApiTokenEvent } from './events.ts'

const spec = specFor(apiTokenDecider)
const tokenId = '1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed'
const at = '2025-01-01T00:00:00.000Z'
const tokenHash = 'a'.repeat(64)

const create = { type: 'CreateApiToken', tokenId, name: 'ci pipeline', role: 'OPERATOR', tokenHash, at } as const
const created: ApiTokenEvent = { type: 'ApiTokenCreated', data: { tokenId, name: 'ci pipeline', role: 'OPERATOR', tokenHash, expiresAt: null } }
const revoked: ApiTokenEvent = { type: 'ApiTokenRevoked', data: { tokenId } }

describe('ApiToken', () => {
  describe('when absent', () => {
    it('creates a token', () => spec().when(create).then([created]))
    it('creates a token that expires', () =>
      spec()
        .when({ ...create, expiresAt: '2026-01-01T00:00:00.000Z' })
        .then([{ type: 'ApiTokenCreated', data: { ...created.data, expiresAt: '2026-01-01T00:00:00.000Z' } }]))
    it('rejects an empty name', () => spec().when({ ...create, name: ' ' }).thenRejects('InvalidInput', 'name'))
    it('rejects an unknown role', () => spec().when({ ...create, role: 'ROOT' as 'ADMIN' }).thenRejects('InvalidInput', 'role'))
    it('rejects a plain token instead of its hash, without echoing it', () => {
      const rejection = spec().when({ ...create, tokenHash: 'opc_secretsecret' }).thenRejects('InvalidInput', 'token')
      expect(rejection.message).not.toContain('secretsecret')
    })
    it('rejects an expiry in the past', () => spec().when({ ...create, expiresAt: '2024-01-01T00:00:00.000Z' }).thenRejects('InvalidInput', 'expiresAt'))
    it('rejects an expiry more than five years ahead', () =>
      spec().when({ ...create, expiresAt: '2031-01-01T00:00:00.000Z' }).thenRejects('InvalidInput', 'expiresAt'))
    it('rejects an expiry that is not canonical UTC', () => spec().when({ ...create, expiresAt: 'tomorrow' }).thenRejects('InvalidInput', 'expiresAt'))
    it('rejects a malformed id', () => spec().when({ ...create, tokenId: 'x' }).thenRejects('InvalidInput', 'id'))
    it('rejects revoking a missing token', () => spec().when({ type: 'RevokeApiToken', tokenId, at }).thenRejects('ApiTokenNotFound'))
  })

  describe('when active', () => {
    it('ignores the same creation sent again', () => spec([created]).when(create).thenNothing())
    it('rejects a creation with another hash on the same id', () =>
      spec([created]).when({ ...create, tokenHash: 'b'.repeat(64) }).thenRejects('ApiTokenAlreadyCreated'))
    it('revokes the token', () => spec([created]).when({ type: 'RevokeApiToken', tokenId, at }).then([revoked]))
  })

  describe('when revoked', () => {
    it('ignores a second revocation', () => spec([created, revoked]).when({ type: 'RevokeApiToken', tokenId, at }).thenNothing())
    it('stays revoked when the creation is replayed', () => spec([created, revoked]).when(create).thenNothing())
  })
})
