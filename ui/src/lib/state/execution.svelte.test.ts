import { describe, expect, it } from 'vitest'
import type { GraphQLClient } from '../api/client.ts'
import { ExecutionState } from './execution.svelte.ts'

describe('ExecutionState', () => {
  it('does not subscribe when the page was left before the first answer came', async () => {
    let answer: (value: unknown) => void = () => undefined
    const client = { request: () => new Promise((resolve) => (answer = resolve)) } as unknown as GraphQLClient
    let subscribed = 0
    const live = { subscribe: () => (subscribed++, () => undefined) }
    const state = new ExecutionState(client, live as never, 'e1')
    const started = state.start()
    state.close()
    answer({ execution: { id: 'e1', status: 'RUNNING', targets: [] } })
    await started
    expect(subscribed).toBe(0)
  })
})
