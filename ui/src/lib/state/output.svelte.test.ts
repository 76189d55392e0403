import { describe, expect, it } from 'vitest'
import type { GraphQLClient } from '../api/client.ts'
import type { OutputChunk } from '../api/types.ts'
import { STDERR } from '../logic/log-buffer.ts'
import type { LiveHandlers } from './live.svelte.ts'
import { TargetOutput } from './output.svelte.ts'

const chunk = (seq: number, text: string, stream: OutputChunk['stream'] = 'STDOUT', attempt = 1): OutputChunk => ({ attempt, seq, stepIndex: 0, stream, text })

/** History served in pages of `pageSize` chunks after `afterSeq`; live chunks pushed by the test. */
const fakes = (history: OutputChunk[], pageSize = 2) => {
  const requests: Array<Record<string, unknown>> = []
  let handlers: LiveHandlers<{ executionOutput: OutputChunk }> | null = null
  let subscribedAfter: unknown = null
  let subscribedVariables: Record<string, unknown> = {}
  const client: GraphQLClient = {
    request: async <T>(_query: string, variables: Record<string, unknown> = {}) => {
      requests.push(variables)
      const after = Number(variables.afterSeq ?? 0)
      return { executionOutput: history.filter((c) => c.seq > after).slice(0, pageSize) } as T
    }
  }
  const live = {
    subscribe: <T>(_q: string, variables: Record<string, unknown>, h: LiveHandlers<T>) => {
      subscribedAfter = variables.after
      subscribedVariables = variables
      handlers = h as unknown as LiveHandlers<{ executionOutput: OutputChunk }>
      return () => (handlers = null)
    }
  }
  return { client, live, requests, push: (c: OutputChunk) => handlers?.next({ executionOutput: c }), subscribed: () => subscribedAfter, resent: () => JSON.parse(JSON.stringify(subscribedVariables)) as Record<string, unknown>, active: () => handlers !== null }
}

const frame = () => new Promise((resolve) => setTimeout(resolve, 40))

describe('TargetOutput', () => {
  it('loads the stored output page by page, then stops', async () => {
    const f = fakes([chunk(1, 'a\n'), chunk(2, 'b\n'), chunk(3, 'c\n')])
    const output = new TargetOutput(f.client, f.live, 'e', 't')
    await output.start()
    expect(output.count).toBe(3)
    expect(output.lineAt(2)).toEqual({ text: 'c', number: 3, stream: 0 })
    expect(f.requests.map((r) => r.afterSeq)).toEqual([0, 2, 3])
    // The latest attempt first; then that attempt's pages, even if a retry starts meanwhile.
    expect(f.requests.map((r) => r.attempt)).toEqual([null, 1, 1])
    expect(output.loading).toBe(false)
    expect(f.active()).toBe(false)
  })

  it('follows a running target live after what it loaded, batching chunks per frame', async () => {
    const f = fakes([chunk(1, 'a\n')])
    const output = new TargetOutput(f.client, f.live, 'e', 't')
    await output.start()
    output.follow()
    expect(f.subscribed()).toBe(1)
    const version = output.version
    f.push(chunk(1, 'a\n'))
    f.push(chunk(2, 'live '))
    f.push(chunk(3, 'line\n'))
    expect(output.count).toBe(1)
    await frame()
    expect(output.count).toBe(2)
    expect(output.lineAt(1).text).toBe('live line')
    expect(output.version).toBe(version + 1)
    output.close()
    expect(f.active()).toBe(false)
  })

  it('filters by stream and searches within the filter', async () => {
    const f = fakes([chunk(1, 'ok one\n'), chunk(2, 'bad one\n', 'STDERR'), chunk(3, 'ok two\n'), chunk(4, 'bad two\n', 'STDERR')], 10)
    const output = new TargetOutput(f.client, f.live, 'e', 't')
    await output.start()
    output.search('two')
    expect(output.hits).toEqual([2, 3])
    output.setFilter({ stream: STDERR, step: null })
    expect(output.count).toBe(2)
    expect(output.lineAt(0)).toEqual({ text: 'bad one', number: 2, stream: STDERR })
    expect(output.hits).toEqual([1])
    expect(output.step(1)).toBe(1)
  })

  it('keeps a search up to date as lines stream in, searching only what is new', async () => {
    const f = fakes([chunk(1, 'error one\nfine\n'), chunk(2, 'partial err')], 10)
    const output = new TargetOutput(f.client, f.live, 'e', 't')
    await output.start()
    output.follow()
    output.search('err')
    expect(output.hits).toEqual([0, 2])
    // The open last line grows, then many new lines arrive: the hits are those of a full search.
    f.push(chunk(3, 'or two\n' + 'noise\n'.repeat(1000) + 'last error\n'))
    await frame()
    expect(output.hits).toEqual([0, 2, 1003])
    expect(output.lineAt(1003)).toMatchObject({ text: 'last error' })
  })

  it('asks only for what came since when the socket resubscribes after a reconnect', async () => {
    const f = fakes([chunk(1, 'a\n'), chunk(2, 'b\n')], 10)
    const output = new TargetOutput(f.client, f.live, 'e', 't')
    await output.start()
    output.follow()
    expect(f.resent().after).toBe(2)
    f.push(chunk(3, 'c\n'))
    await frame()
    expect(f.resent().after).toBe(3)
  })

  it('starts over when a retry begins a new attempt', async () => {
    const f = fakes([chunk(1, 'first try\n')])
    const output = new TargetOutput(f.client, f.live, 'e', 't')
    await output.start()
    output.follow()
    f.push(chunk(1, 'second try\n', 'STDOUT', 2))
    await frame()
    expect(output.attempt).toBe(2)
    expect(output.count).toBe(1)
    expect(output.lineAt(0).text).toBe('second try')
  })

  it('keeps the error of a failed load for the page to show', async () => {
    const client: GraphQLClient = { request: async () => Promise.reject(new Error('offline')) }
    const output = new TargetOutput(client, fakes([]).live, 'e', 't')
    await output.start()
    output.follow()
    expect(output.error).toBeInstanceOf(Error)
    expect(output.loading).toBe(false)
  })
})
