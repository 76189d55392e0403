import { describe, expect, it } from 'vitest'
import { ActionKey, createClient, withKey } from './client.ts'

describe('ActionKey', () => {
  it('gives the same request the same key, and a changed one or a renewed key a new one', () => {
    const key = new ActionKey()
    const first = key.for({ name: 'ci', role: 'VIEWER' })
    expect(key.for({ name: 'ci', role: 'VIEWER' })).toBe(first)
    expect(key.for({ name: 'ci-2', role: 'VIEWER' })).not.toBe(first)
    key.renew()
    expect(key.for({ name: 'ci', role: 'VIEWER' })).not.toBe(first)
    // What the server accepts as an Idempotency-Key.
    expect(first).toMatch(/^[A-Za-z0-9._:-]{1,100}$/)
  })

  it('never lets a secret value shape the key (the key becomes the audited command id)', () => {
    const key = new ActionKey()
    expect(key.for({ username: 'ada', password: 'one-secret' })).toBe(key.for({ username: 'ada', password: 'another-secret' }))
    expect(key.for({ id: 'c1', privateKey: 'k1', passphrase: 'p1' })).toBe(key.for({ id: 'c1', privateKey: 'k2', passphrase: 'p2' }))
  })

  it('is sent as the Idempotency-Key header, the same on a second press', async () => {
    const sent: Array<string | undefined> = []
    const fetch = (async (_url: RequestInfo | URL, init?: RequestInit) => {
      sent.push((init?.headers as Record<string, string>)['idempotency-key'])
      return new Response(JSON.stringify({ data: { createApiToken: { token: 't' } } }))
    }) as typeof globalThis.fetch
    const client = createClient({ token: () => 'access', renew: async () => null, ended: () => undefined }, { fetch })
    const key = new ActionKey()
    for (let press = 0; press < 2; press++) await client.request('mutation CreateApiToken { createApiToken { token } }', ...withKey(key, { name: 'ci' }))
    expect(sent[0]).toBeDefined()
    expect(sent[1]).toBe(sent[0])
  })
})
