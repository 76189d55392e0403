import { describe, expect, it } from 'vitest'
import { SequentialPages, type Page } from './pages.ts'

const source = (total: number) => {
  const calls: Array<{ after: string | null; size: number }> = []
  const fetchPage = async (after: string | null, size: number): Promise<Page<number>> => {
    calls.push({ after, size })
    const start = after === null ? 0 : Number(after)
    const rows = Array.from({ length: Math.max(0, Math.min(size, total - start)) }, (_, i) => start + i)
    return { rows, total, hasNext: start + rows.length < total, cursor: String(start + rows.length) }
  }
  return { calls, fetchPage }
}

describe('SequentialPages', () => {
  it('loads a small first page for the first screen', async () => {
    const s = source(10_000)
    const pages = new SequentialPages(s.fetchPage, { first: 100, next: 500, ahead: 50 })
    await pages.ensure(30)
    expect(s.calls).toEqual([{ after: null, size: 100 }])
    expect(pages.total).toBe(10_000)
  })
  it('loads the pages in between when the viewer jumps ahead', async () => {
    const s = source(10_000)
    const pages = new SequentialPages(s.fetchPage, { first: 100, next: 500, ahead: 50 })
    await pages.ensure(1_200)
    expect(pages.rows.length).toBeGreaterThan(1_250)
    expect(pages.rows[1_200]).toBe(1_200)
    expect(s.calls.map((c) => c.size)).toEqual([100, 500, 500, 500])
  })
  it('stops at the end of the list', async () => {
    const s = source(120)
    const pages = new SequentialPages(s.fetchPage, { first: 100, next: 500, ahead: 50 })
    await pages.ensure(10_000)
    expect(pages.rows.length).toBe(120)
    expect(pages.hasNext).toBe(false)
    expect(s.calls.length).toBe(2)
  })
  it('shares one request between callers', async () => {
    const s = source(1_000)
    const pages = new SequentialPages(s.fetchPage, { first: 100, next: 500, ahead: 0 })
    await Promise.all([pages.ensure(10), pages.ensure(20)])
    expect(s.calls.length).toBe(1)
  })
  it('handles an empty list', async () => {
    const s = source(0)
    const pages = new SequentialPages(s.fetchPage)
    await pages.ensure(0)
    expect(pages.rows).toEqual([])
    expect(pages.hasNext).toBe(false)
  })
})
