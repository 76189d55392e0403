import type { FastifyInstance } from 'fastify'
import { createClient, type Client } from 'graphql-ws'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { targets, type TargetCommand } from '../../domains/targets/index.ts'
import { readRange } from '../../projections/event-store.ts'
import { createApiToken, revokeApiToken } from '../../commands/tokens.ts'
import { context, openHarness, type Harness } from '../../test/harness.ts'
import { buildTestServer } from './testing.ts'

let h: Harness
let app: FastifyInstance
let base: string
let testToken: string
const clients: Client[] = []

beforeAll(async () => {
  h = await openHarness()
  const server = await buildTestServer(h.platform, { recheckMs: 200 })
  app = server.app
  testToken = server.token
  base = await app.listen({ port: 0, host: '127.0.0.1' })
})
afterAll(async () => {
  for (const c of clients) await c.dispose()
  await app?.close()
  await h?.close()
})

const registerTargets = async (count: number): Promise<number> => {
  let last = 0
  for (let i = 0; i < count; i++) {
    const targetId = crypto.randomUUID()
    const command: TargetCommand = { type: 'RegisterTarget', targetId, name: `n-${targetId}`, address: '10.0.0.1', connection: 'SSH', tags: [], at: new Date().toISOString() }
    const r = await h.run(h.platform, targets, command)
    if (r._tag !== 'Success') throw r.failure
    last = r.success.position
  }
  return last
}

const wsClient = (authorization: string | null) => {
  const client = createClient({
    url: base.replace('http', 'ws') + '/graphql',
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    connectionParams: authorization ? { authorization } : {}
  })
  clients.push(client)
  return client
}

const SUBSCRIPTION = 'subscription ($after: Int, $types: [String!]) { events(after: $after, types: $types) { position index id type stream actor } }'
interface Entry { position: number; index: number; id: string; type: string }

describe('Event subscription over WebSocket', () => {
  it('refuses a connection without a valid token', async () => {
    const outcome = await new Promise<unknown>((resolve) => {
      wsClient('Bearer forged').subscribe({ query: SUBSCRIPTION }, { next: resolve, error: resolve, complete: () => resolve('complete') })
    })
    expect(outcome).toMatchObject({ code: 4403 })
  })

  it('refuses mutations with a clear answer: they are POSTed (refreshSession’s cookie could not travel on a socket)', async () => {
    for (const query of ['mutation { refreshSession { accessToken } }', 'mutation { registerTarget(name: "ws", address: "10.0.0.1", connection: SSH) { id } }']) {
      const outcome = await new Promise<unknown>((resolve) => {
        wsClient(`Bearer ${testToken}`).subscribe({ query }, { next: resolve, error: resolve, complete: () => resolve('complete') })
      })
      expect(JSON.stringify(outcome)).toMatch(/mutations are sent as POST \/graphql/)
    }
  })

  it('replays from `after` and continues live', async () => {
    const p = h.platform.committed.current
    const before = await registerTargets(2)
    const received: Entry[] = []
    const client = wsClient(`Bearer ${testToken}`)
    const expectedCount = (await readRange(h.platform.pool, p, before)).length * 2
    const done = new Promise<void>((resolve, reject) => {
      client.subscribe<{ events: Entry }>({ query: SUBSCRIPTION, variables: { after: p } }, {
        next: (m) => {
          if (m.data) received.push(m.data.events)
          if (received.length === expectedCount) resolve()
        },
        error: reject,
        complete: resolve
      })
    })
    const last = await registerTargets(2)
    await done
    expect(received.map((e) => e.id)).toEqual((await readRange(h.platform.pool, p, last)).map((e) => e.id))
  })
})

/** Reads server-sent events until `count` `next` payloads arrived, then hangs up. */
const sse = async (query: string, variables: Record<string, unknown>, count: number, token: string | null = testToken) => {
  const controller = new AbortController()
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    signal: controller.signal,
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables })
  })
  const payloads: Array<{ data?: { events: Entry }; errors?: Array<{ extensions?: { code?: string } }> }> = []
  const decoder = new TextDecoder()
  let buffer = ''
  try {
    for await (const chunk of response.body!) {
      buffer += decoder.decode(chunk, { stream: true })
      let end: number
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const message = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        const data = message.split('\n').find((l) => l.startsWith('data:'))
        if (message.startsWith('event: next') && data) payloads.push(JSON.parse(data.slice(5)))
        if (message.startsWith('event: complete')) return payloads
      }
      if (payloads.length >= count) break
    }
  } finally {
    controller.abort()
  }
  return payloads
}

describe('Event subscription over SSE', () => {
  it('delivers events of the requested types after a position', async () => {
    const p = h.platform.committed.current
    const last = await registerTargets(3)
    const payloads = await sse(SUBSCRIPTION, { after: p, types: ['Target*'] }, 3)
    expect(payloads.map((m) => m.data?.events.type)).toEqual(['TargetRegistered', 'TargetRegistered', 'TargetRegistered'])
    const stored = (await readRange(h.platform.pool, p, last)).filter((e) => e.type === 'TargetRegistered')
    expect(payloads.map((m) => m.data?.events.id)).toEqual(stored.map((e) => e.id))
  })

  it('ends a stream once the token that opened it is revoked', async () => {
    const created = await h.platform.commands.runPromise(createApiToken({ name: `short-${crypto.randomUUID()}`, role: 'VIEWER' }, context()))
    const stream = sse(SUBSCRIPTION, { types: ['NothingHasThisType'] }, 1_000, created.token!)
    await new Promise((r) => setTimeout(r, 300))
    await h.platform.commands.runPromise(revokeApiToken(created.id, context()))
    const outcome = await Promise.race([stream, new Promise((r) => setTimeout(() => r('still open'), 10_000))])
    expect(outcome).toEqual([])
  })

  it('refuses an anonymous subscriber', async () => {
    const payloads = await sse(SUBSCRIPTION, {}, 1, null)
    expect(payloads[0]?.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED')
  })
})

describe('auditLog query', () => {
  const AUDIT = 'query ($after: String, $order: AuditOrder) { auditLog(first: 2, after: $after, order: $order) { edges { node { position index } cursor } pageInfo { hasNextPage endCursor } } }'
  const query = async (variables: Record<string, unknown>) => {
    const response = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${testToken}` },
      body: JSON.stringify({ query: AUDIT, variables })
    })
    return (await response.json()) as { data?: { auditLog: { edges: Array<{ node: Entry }>; pageInfo: { hasNextPage: boolean; endCursor: string } } }; errors?: Array<{ message: string; extensions: { code: string } }> }
  }

  it('pages newest first with opaque cursors that remember their order', async () => {
    await registerTargets(2)
    const first = await query({})
    const second = await query({ after: first.data!.auditLog.pageInfo.endCursor })
    const positions = [...first.data!.auditLog.edges, ...second.data!.auditLog.edges].map((e) => [e.node.position, e.node.index])
    const sorted = [...positions].sort((a, b) => b[0]! - a[0]! || b[1]! - a[1]!)
    expect(positions).toEqual(sorted)
    expect(new Set(positions.map((p) => p.join(':'))).size).toBe(4)
    const mixed = await query({ after: first.data!.auditLog.pageInfo.endCursor, order: 'ASC' })
    expect(mixed.errors?.[0]?.extensions.code).toBe('BAD_USER_INPUT')
  })
})
