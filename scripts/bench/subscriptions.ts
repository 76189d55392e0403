/**
 * Subscription delivery latency: from the moment a command is sent to the moment a subscriber
 * holds its event, through the whole path (command handler → JetStream → sink commit →
 * core-NATS live copy → in-process feed → transport). Three subscribers listen at once: the
 * in-process feed, SSE and WebSocket (graphql-ws), each on the same commands.
 * Standalone: `npx tsx scripts/bench/subscriptions.ts [--quick]`.
 */
import { pathToFileURL } from 'node:url'
import { createClient } from 'graphql-ws'
import WebSocket from 'ws'
import { buildTestServer } from '../../api/subscriptions/testing.ts'
import { eventFeedFor } from '../../api/subscriptions/feed.ts'
import { targets, type TargetCommand } from '../../domains/targets/index.ts'
import { openHarness } from '../../test/harness.ts'
import { percentile, round } from './stats.ts'
import type { Row } from './types.ts'

type Transport = 'in-process feed' | 'SSE' | 'WebSocket'
const QUERY = 'subscription { events(types: ["TargetRegistered"]) { stream } }'

export const benchSubscriptions = async (options: { quick?: boolean } = {}): Promise<Row[]> => {
  const h = await openHarness()
  const { app, token } = await buildTestServer(h.platform)
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  const sentAt = new Map<string, number>()
  const latencies: Record<Transport, number[]> = { 'in-process feed': [], SSE: [], WebSocket: [] }
  const arrived = (transport: Transport, stream: string) => {
    const t = sentAt.get(stream)
    if (t !== undefined) latencies[transport].push(performance.now() - t)
  }
  const stop = new AbortController()
  const feed = eventFeedFor(h.platform).subscribe({ types: ['TargetRegistered'], after: null })
  void (async () => {
    for await (const entry of feed) arrived('in-process feed', entry.stream)
  })()
  void readSse(`${base}/graphql`, token, stop.signal, (stream) => arrived('SSE', stream))
  const ws = createClient({ url: `${base.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` } })
  ws.subscribe<{ events: { stream: string } }>({ query: QUERY }, { next: (m) => m.data && arrived('WebSocket', m.data.events.stream), error: () => undefined, complete: () => undefined })
  await new Promise((r) => setTimeout(r, 500))

  const rows: Row[] = []
  try {
    for (const [callers, total] of [[1, 500], [16, 3_000]] as const) {
      for (const l of Object.values(latencies)) l.length = 0
      const commands = options.quick ? Math.round(total / 4) : total
      const durable = (await send(h, sentAt, callers, commands)).sort((a, b) => a - b)
      await new Promise((r) => setTimeout(r, 1_000))
      const plural = callers > 1 ? 's' : ''
      const anchorValue = round(percentile(durable, 99), 1)
      rows.push({ group: 'subscriptions', name: `command → durable (the caller's answer), ${callers} caller${plural}`, value: anchorValue, unit: 'ms p99', note: `p50 ${round(percentile(durable, 50), 1)} ms` })
      for (const transport of Object.keys(latencies) as Transport[]) {
        const sorted = [...latencies[transport]].sort((a, b) => a - b)
        const value = round(percentile(sorted, 99), 1)
        rows.push({
          group: 'subscriptions',
          name: `command → ${transport} subscriber, ${callers} caller${plural}`,
          value,
          unit: 'ms p99',
          anchor: 'command → durable p99',
          anchorValue,
          ratio: round(value / anchorValue, 2),
          note: `p50 ${round(percentile(sorted, 50), 1)} ms, ${sorted.length}/${commands} delivered`,
          goal: 'p99 < 50 ms'
        })
      }
    }
  } finally {
    stop.abort()
    await feed.return()
    await ws.dispose()
    await app.close()
    await h.close()
  }
  return rows
}

/**
 * `callers` concurrent loops registering targets, stamping each stream when its command is sent;
 * returns how long each caller waited for its answer (which comes once the sink committed it).
 */
const send = async (h: Awaited<ReturnType<typeof openHarness>>, sentAt: Map<string, number>, callers: number, total: number): Promise<number[]> => {
  let next = 0
  const answered: number[] = []
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (next++ < total) {
        const targetId = crypto.randomUUID()
        const command: TargetCommand = { type: 'RegisterTarget', targetId, name: `s-${targetId}`, address: '10.0.0.1', connection: 'SSH', tags: [], at: new Date().toISOString() }
        const t = performance.now()
        sentAt.set(`target-${targetId}`, t)
        const r = await h.run(h.platform, targets, command)
        if (r._tag !== 'Success' || !r.success.durable) throw new Error('command failed or not durable')
        answered.push(performance.now() - t)
      }
    })
  )
  return answered
}

const readSse = async (url: string, token: string, signal: AbortSignal, onStream: (stream: string) => void): Promise<void> => {
  const response = await fetch(url, {
    method: 'POST',
    signal,
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: QUERY })
  })
  const decoder = new TextDecoder()
  let buffer = ''
  try {
    for await (const chunk of response.body!) {
      buffer += decoder.decode(chunk, { stream: true })
      let end: number
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const data = buffer.slice(0, end).split('\n').find((l) => l.startsWith('data:'))
        buffer = buffer.slice(end + 2)
        const stream = data ? (JSON.parse(data.slice(5)) as { data?: { events?: { stream: string } } }).data?.events?.stream : undefined
        if (stream) onStream(stream)
      }
    }
  } catch (error) {
    if (!signal.aborted) throw error
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { ensureTestServices } = await import('../../runtime/local-test-services.ts')
  const services = await ensureTestServices({ log: () => undefined })
  Object.assign(process.env, services.env)
  try {
    for (const row of await benchSubscriptions({ quick: process.argv.includes('--quick') })) console.log(`${row.name}: ${row.value} ${row.unit} (${row.note}${row.ratio ? `, ×${row.ratio} of the anchor` : ''})`)
  } finally {
    await services.stop()
  }
  process.exit(0)
}
