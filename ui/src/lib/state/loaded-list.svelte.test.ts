import { describe, expect, it } from 'vitest'
import type { Connection } from '../api/types.ts'
import { everyNode, LoadedList } from './loaded-list.svelte.ts'

const pageOf = (all: string[], after: string | null, size: number): Connection<string> => {
  const start = Number(after ?? 0)
  const rows = all.slice(start, start + size)
  const end = start + rows.length
  return { edges: rows.map((node) => ({ node })), totalCount: all.length, pageInfo: { hasNextPage: end < all.length, endCursor: rows.length ? String(end) : null } }
}

describe('everyNode', () => {
  it('follows the cursor to the last page', async () => {
    const all = Array.from({ length: 1203 }, (_, i) => `user-${i}`)
    const asked: Array<string | null> = []
    const nodes = await everyNode(async (after) => (asked.push(after), pageOf(all, after, 500)))
    expect(nodes).toEqual(all)
    expect(asked).toEqual([null, '500', '1000'])
  })

  it('answers an empty list in one request', async () => {
    expect(await everyNode(async (after) => pageOf([], after, 500))).toEqual([])
  })
})

describe('LoadedList', () => {
  it('keeps the last answer and the error of the last load', async () => {
    let fail = false
    const list = new LoadedList(async () => {
      if (fail) throw new Error('offline')
      return ['a', 'b']
    })
    await list.load()
    expect([list.items, list.loaded, list.error]).toEqual([['a', 'b'], true, null])
    fail = true
    await list.load()
    expect(list.items).toEqual(['a', 'b'])
    expect((list.error as Error).message).toBe('offline')
  })

  it('drops an answer to an older load', async () => {
    let call = 0
    const list = new LoadedList(async () => {
      const mine = ++call
      await new Promise((r) => setTimeout(r, mine === 1 ? 40 : 0))
      return [`answer-${mine}`]
    })
    const older = list.load()
    await list.load()
    await older
    expect(list.items).toEqual(['answer-2'])
  })
})
