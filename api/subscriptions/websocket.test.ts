import Fastify from 'fastify'
import { afterAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import type { Principal } from '../graphql/context.ts'
import { registerWebSocket, type WebSocketDeps } from './websocket.ts'

const principal: Principal = { kind: 'token', id: 't1', name: 'ci', role: 'VIEWER' }
let valid = true
const app = Fastify()
registerWebSocket(app, {
  // Operations never run in this test: only the connection's life is under test.
  yoga: { getEnveloped: () => { throw new Error('no operation expected') } } as unknown as WebSocketDeps['yoga'],
  authenticate: async (header) => (valid && header === 'Bearer good' ? principal : null),
  recheckMs: 100
})
afterAll(async () => {
  await app.close()
})

describe('GraphQL over WebSocket', () => {
  it('closes an open connection with 4403 once its token no longer holds', async () => {
    const base = await app.listen({ port: 0, host: '127.0.0.1' })
    const socket = new WebSocket(base.replace('http', 'ws') + '/graphql', 'graphql-transport-ws')
    await new Promise((resolve) => socket.once('open', resolve))
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: 'Bearer good' } }))
    const ack = await new Promise<string>((resolve) => socket.once('message', (m) => resolve(String(m))))
    expect(JSON.parse(ack).type).toBe('connection_ack')
    valid = false
    const closed = await new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)))
    expect(closed).toBe(4403)
  })
})
