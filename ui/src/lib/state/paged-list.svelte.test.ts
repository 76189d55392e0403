import { describe, expect, it } from 'vitest'
import type { Page } from '../logic/pages.ts'
import { PagedList } from './paged-list.svelte.ts'

const names = (filter: string, total: number) => Array.from({ length: total }, (_, i) => `${filter}-${i}`)

describe('PagedList', () => {
  const source = (delays: Record<string, number> = {}) => {
    const asked: string[] = []
    const fetch = (filter: string) => async (after: string | null, size: number): Promise<Page<string>> => {
      asked.push(`${filter}@${after ?? 0}`)
      await new Promise((r) => setTimeout(r, delays[filter] ?? 0))
      const all = names(filter, filter === 'none' ? 0 : 1000)
      const start = Number(after ?? 0)
      const rows = all.slice(start, start + size)
      return { rows, total: all.length, hasNext: start + rows.length < all.length, cursor: String(start + rows.length) }
    }
    return { asked, fetch }
  }

  it('shows the first page, then loads as the viewer scrolls', async () => {
    const s = source()
    const list = new PagedList<string, string>(s.fetch, 'web', { first: 50, next: 200, ahead: 20 })
    await list.reset('web')
    expect(list.ready).toBe(true)
    expect(list.total).toBe(1000)
    expect(list.rows.length).toBe(50)
    await list.ensure(300)
    expect(list.rows[300]).toBe('web-300')
  })

  it('drops the answer to a filter the person has already changed', async () => {
    const s = source({ slow: 50 })
    const list = new PagedList<string, string>(s.fetch, '', { first: 50, next: 200, ahead: 20 })
    const slow = list.reset('slow')
    await list.reset('fast')
    await slow
    expect(list.query).toBe('fast')
    expect(list.rows[0]).toBe('fast-0')
  })

  it('reports an empty result', async () => {
    const list = new PagedList<string, string>(source().fetch, '', { first: 50, next: 200, ahead: 20 })
    await list.reset('none')
    expect(list.ready).toBe(true)
    expect(list.total).toBe(0)
  })

  it('keeps the error and recovers on reload', async () => {
    let fail = true
    const list = new PagedList<string, string>(
      () => async () => {
        if (fail) throw new Error('filter: bad')
        return { rows: ['a'], total: 1, hasNext: false, cursor: null }
      },
      'x'
    )
    await list.reset('x')
    expect(list.error).toBeInstanceOf(Error)
    fail = false
    await list.reload()
    expect(list.error).toBeNull()
    expect(list.rows).toEqual(['a'])
  })
})
