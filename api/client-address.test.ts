import type { IncomingMessage } from 'node:http'
import { describe, expect, it } from 'vitest'
import { clientAddressOf } from './client-address.ts'

const request = (peer: string, forwardedFor?: string) =>
  ({ socket: { remoteAddress: peer }, connection: { remoteAddress: peer }, headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {} }) as unknown as IncomingMessage

describe('clientAddressOf (WebSocket upgrades)', () => {
  it('believes X-Forwarded-For only from trusted proxies, as fastify does for HTTP', () => {
    expect(clientAddressOf(false)(request('127.0.0.1', '203.0.113.9'))).toBe('127.0.0.1')
    expect(clientAddressOf('loopback')(request('127.0.0.1', '203.0.113.9'))).toBe('203.0.113.9')
    expect(clientAddressOf('10.0.0.0/8, loopback')(request('198.51.100.7', '203.0.113.9'))).toBe('198.51.100.7')
    expect(clientAddressOf(true)(request('10.1.1.1', '203.0.113.9, 10.2.2.2'))).toBe('203.0.113.9')
    // One hop: the nearest proxy's word is taken, nothing further back.
    expect(clientAddressOf((_address, hop) => hop < 1)(request('10.1.1.1', '203.0.113.9, 10.2.2.2'))).toBe('10.2.2.2')
  })
})
