import { describe, expect, it } from 'vitest'
import { atBottom, computeWindow, scrollTopFor } from './window.ts'

describe('computeWindow', () => {
  it('renders the visible rows and the overscan', () => {
    const w = computeWindow({ scrollTop: 200, viewport: 100, rowHeight: 20, count: 1000, overscan: 2 })
    expect(w).toEqual({ first: 8, last: 17, offset: 160, height: 20_000 })
  })
  it('stays inside the list at both ends', () => {
    expect(computeWindow({ scrollTop: 0, viewport: 100, rowHeight: 20, count: 3 })).toMatchObject({ first: 0, last: 3 })
    const end = computeWindow({ scrollTop: 99_999, viewport: 100, rowHeight: 20, count: 1000, overscan: 0 })
    expect(end.last).toBe(1000)
    expect(end.first).toBe(995)
  })
  it('renders nothing for an empty list', () => expect(computeWindow({ scrollTop: 0, viewport: 500, rowHeight: 20, count: 0 })).toMatchObject({ first: 0, last: 0, height: 0 }))
  describe('with more rows than a browser can make tall', () => {
    const base = { viewport: 600, rowHeight: 20, count: 2_000_000, maxHeight: 1_000_000, overscan: 0 }
    it('caps the height', () => expect(computeWindow({ ...base, scrollTop: 0 }).height).toBe(1_000_000))
    it('maps the end of the scroll range to the last rows', () => {
      const w = computeWindow({ ...base, scrollTop: 1_000_000 - 600 })
      expect(w.last).toBe(2_000_000)
      expect(w.first).toBe(2_000_000 - 30)
      expect(w.offset).toBeCloseTo(1_000_000 - 600)
    })
    it('maps the middle proportionally', () => {
      const w = computeWindow({ ...base, scrollTop: (1_000_000 - 600) / 2 })
      expect(w.first).toBeGreaterThan(999_900)
      expect(w.first).toBeLessThan(1_000_000)
    })
    it('scrolls to a row and back to the same window', () => {
      const top = scrollTopFor(1_234_567, { ...base, scrollTop: 0 }, 'start')
      expect(computeWindow({ ...base, scrollTop: top }).first).toBe(1_234_567)
    })
  })
})

describe('scrollTopFor', () => {
  const base = { viewport: 100, rowHeight: 20, count: 100 }
  it('leaves a visible row where it is', () => expect(scrollTopFor(7, { ...base, scrollTop: 100 })).toBe(100))
  it('brings a row below into view at the bottom', () => expect(scrollTopFor(20, { ...base, scrollTop: 0 })).toBe(320))
  it('brings a row above into view at the top', () => expect(scrollTopFor(2, { ...base, scrollTop: 400 })).toBe(40))
  it('aligns the last row at the end', () => expect(scrollTopFor(99, { ...base, scrollTop: 0 }, 'end')).toBe(1900))
})

describe('atBottom', () => {
  it('is true within the slack', () => expect(atBottom(896, 100, 1000)).toBe(true))
  it('is false higher up', () => expect(atBottom(800, 100, 1000)).toBe(false))
})
