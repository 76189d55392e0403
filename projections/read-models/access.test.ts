import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RecordedEvent } from '../../domains/shared/index.ts'
import { freshDatabase, type FreshDatabase } from '../../test/support.ts'
import { createPool, type Pool } from '../db.ts'
import { migrate } from '../migrate.ts'
import { applyProjection } from '../projection.ts'
import { apiTokensProjection, findActiveApiToken, touchApiToken } from './api-tokens.ts'
import { loginThrottleProjection, readFailureStreaks } from './login-throttle.ts'

let db: FreshDatabase
let pool: Pool
beforeAll(async () => {
  db = await freshDatabase('access')
  pool = createPool(db.url, 2)
  await migrate(pool)
})
afterAll(async () => {
  await pool?.end()
  await db?.drop()
})

let position = 0
const event = (stream: string, type: string, data: unknown, at: string, ip = '10.0.0.9'): RecordedEvent => ({
  id: crypto.randomUUID(), type, data, stream, position: ++position, index: 0,
  meta: { actor: { kind: 'system', id: 'anonymous', name: 'anonymous', ip }, commandId: crypto.randomUUID(), correlationId: 'c', causationId: null, occurredAt: at, schemaVersion: 1 }
})

describe('login_throttle projection', () => {
  const loginId = 'a'.repeat(40)
  const failed = (at: string, ip?: string) => event(`login-${loginId}`, 'LoginFailed', { username: 'alice', userId: null, reason: 'unknown-user' }, at, ip)

  it('counts failures per username and per address, and a success ends only the username streak', async () => {
    await applyProjection(pool, loginThrottleProjection, [failed('2030-01-01T00:00:00.000Z'), failed('2030-01-01T00:01:00.000Z', '10.0.0.8')])
    let streaks = await readFailureStreaks(pool, [`user:${loginId}`, 'ip:10.0.0.9', 'ip:10.0.0.8'])
    expect(streaks.get(`user:${loginId}`)).toEqual({ failures: 2, lastFailureAt: '2030-01-01T00:01:00.000Z' })
    expect(streaks.get('ip:10.0.0.9')?.failures).toBe(1)
    await applyProjection(pool, loginThrottleProjection, [event(`login-${loginId}`, 'LoginSucceeded', { username: 'alice', userId: crypto.randomUUID() }, '2030-01-01T00:02:00.000Z')])
    streaks = await readFailureStreaks(pool, [`user:${loginId}`, 'ip:10.0.0.9'])
    expect(streaks.has(`user:${loginId}`)).toBe(false)
    expect(streaks.get('ip:10.0.0.9')?.failures).toBe(1)
  })

  it('starts a new streak after a quiet window', async () => {
    await applyProjection(pool, loginThrottleProjection, [failed('2030-01-02T00:00:00.000Z'), failed('2030-01-02T00:00:01.000Z'), failed('2030-01-02T01:00:00.000Z')])
    const streaks = await readFailureStreaks(pool, [`user:${loginId}`])
    expect(streaks.get(`user:${loginId}`)).toEqual({ failures: 1, lastFailureAt: '2030-01-02T01:00:00.000Z' })
  })
})

describe('api_tokens projection', () => {
  it('finds a live token by hash, keeps its last use across events, and forgets it once revoked', async () => {
    const tokenId = crypto.randomUUID()
    const hash = 'f'.repeat(64)
    await applyProjection(pool, apiTokensProjection, [event(`apitoken-${tokenId}`, 'ApiTokenCreated', { tokenId, name: 'ci', role: 'OPERATOR', tokenHash: hash, expiresAt: null }, '2030-01-01T00:00:00.000Z')])
    expect(await findActiveApiToken(pool, hash)).toMatchObject({ id: tokenId, name: 'ci', role: 'OPERATOR', lastUsedAt: null })
    await touchApiToken(pool, tokenId)
    await applyProjection(pool, apiTokensProjection, [event(`apitoken-${tokenId}`, 'ApiTokenRevoked', { tokenId }, '2030-01-01T00:05:00.000Z')])
    expect(await findActiveApiToken(pool, hash)).toBeNull()
    const { rows } = await pool.query('SELECT revoked_at, last_used_at, token_hash FROM api_tokens WHERE id = $1', [tokenId])
    expect(rows[0].revoked_at).toEqual(new Date('2030-01-01T00:05:00.000Z'))
    expect(rows[0].last_used_at).not.toBeNull()
  })

  it('ignores an expired token', async () => {
    const tokenId = crypto.randomUUID()
    const hash = 'e'.repeat(64)
    await applyProjection(pool, apiTokensProjection, [event(`apitoken-${tokenId}`, 'ApiTokenCreated', { tokenId, name: 'old', role: 'VIEWER', tokenHash: hash, expiresAt: '2001-01-01T00:00:00.000Z' }, '2000-01-01T00:00:00.000Z')])
    expect(await findActiveApiToken(pool, hash)).toBeNull()
  })
})
