import { describe, expect, it } from 'vitest'
import { actorName, ago, bytes, count, duration, percent } from './format.ts'

describe('format', () => {
  it('counts with the right plural', () => {
    expect(count(1, 'target')).toBe('1 target')
    expect(count(10_000, 'target')).toBe('10,000 targets')
  })
  it('sizes bytes', () => {
    expect(bytes(512)).toBe('512 B')
    expect(bytes(1536)).toBe('1.5 KB')
    expect(bytes(20 * 1024 * 1024)).toBe('20 MB')
  })
  it('says durations the way people do', () => {
    expect(duration(340)).toBe('340 ms')
    expect(duration(4_200)).toBe('4.2 s')
    expect(duration(185_000)).toBe('3 min 5 s')
    expect(duration(7_800_000)).toBe('2 h 10 min')
  })
  it('says how long ago', () => {
    const now = Date.parse('2024-05-01T12:00:00Z')
    expect(ago('2024-05-01T11:59:50Z', now)).toBe('just now')
    expect(ago('2024-05-01T11:55:00Z', now)).toBe('5 min ago')
    expect(ago('2024-04-29T12:00:00Z', now)).toBe('2 days ago')
  })
  it('gives a percentage only of something', () => {
    expect(percent(1, 3)).toBe('33 %')
    expect(percent(0, 0)).toBe('—')
  })
  it('names actors', () => {
    expect(actorName({ kind: 'user', name: 'ada' })).toBe('ada')
    expect(actorName({ kind: 'token', name: 'ci' })).toBe('token ci')
    expect(actorName(null)).toBe('—')
  })
})
