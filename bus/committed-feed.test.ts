import { describe, expect, it } from 'vitest'
import type { RecordedEvent } from '../domains/shared/index.ts'
import { committedFrames, type CommittedFrame } from './committed-feed.ts'

const event = (position: number, index: number, size = 10): RecordedEvent => ({
  id: `${position}-${index}`,
  type: 'TargetTagged',
  stream: 'target-1',
  data: { pad: 'x'.repeat(size) },
  meta: {
    actor: { kind: 'system', id: 'test', name: 'test' },
    commandId: 'c',
    correlationId: 'c',
    causationId: null,
    occurredAt: '2025-01-01T00:00:00.000Z',
    schemaVersion: 1
  },
  position,
  index
})

const decode = (frames: string[]): CommittedFrame[] => frames.map((f) => JSON.parse(f) as CommittedFrame)

describe('Committed feed', () => {
  it('sends a small batch as one frame up to the checkpoint', () => {
    const frames = decode(committedFrames(3, [event(2, 0), event(2, 1), event(3, 0)], 1024 * 1024))
    expect(frames).toHaveLength(1)
    expect(frames[0]!.upTo).toBe(3)
    expect(frames[0]!.events?.map((e) => e.id)).toEqual(['2-0', '2-1', '3-0'])
  })

  it('splits a large batch at position boundaries, never inside a message', () => {
    const events = [1, 2, 3, 4, 5, 6].flatMap((p) => [event(p, 0, 300), event(p, 1, 300)])
    const frames = decode(committedFrames(6, events, 2_000))
    expect(frames.length).toBeGreaterThan(1)
    for (const f of frames) {
      const positions = new Set(f.events?.map((e) => e.position))
      for (const p of positions) expect(f.events?.filter((e) => e.position === p)).toHaveLength(2)
      expect(Math.max(...positions)).toBe(f.upTo)
    }
    expect(frames.flatMap((f) => f.events ?? []).map((e) => e.id)).toEqual(events.map((e) => e.id))
  })

  it('replaces a message too large to carry with a marker to read it from the table', () => {
    const frames = decode(committedFrames(3, [event(1, 0), event(2, 0, 5_000), event(3, 0)], 2_000))
    expect(frames.map((f) => [f.upTo, f.events?.length ?? null])).toEqual([
      [1, 1],
      [2, null],
      [3, 1]
    ])
  })

  it('reaches the checkpoint even when the last messages held no events', () => {
    expect(decode(committedFrames(9, [event(7, 0)], 1024 * 1024)).map((f) => f.upTo)).toEqual([9])
    expect(decode(committedFrames(9, [], 1024 * 1024))).toEqual([{ upTo: 9, events: [] }])
  })
})
