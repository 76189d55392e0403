import { describe, expect, it } from 'vitest'
import type { RecordedEvent } from '../domains/shared/index.ts'
import { committedNotice, parseCommittedNotice } from './sink.ts'

const event = (type: string, position = 7): RecordedEvent => ({
  id: crypto.randomUUID(),
  type,
  data: {},
  stream: 'target-x',
  meta: { actor: { kind: 'system', id: 't', name: 't' }, commandId: 'c', correlationId: 'c', causationId: null, occurredAt: '2030-01-01T00:00:00.000Z', schemaVersion: 1 },
  position,
  index: 0
})

describe('Committed notices', () => {
  it('carry the checkpoint and each event type of the batch once', () => {
    const notice = committedNotice(42, [event('TargetRegistered'), event('KeyReserved'), event('TargetRegistered')])
    expect(notice).toBe('42 TargetRegistered,KeyReserved')
    expect(parseCommittedNotice(notice)).toEqual({ position: 42, types: new Set(['TargetRegistered', 'KeyReserved']) })
  })

  it('say "any type" when the types would not fit in a notification', () => {
    const many = Array.from({ length: 400 }, (_, i) => event(`SomeRatherLongEventTypeName${i}`))
    const notice = committedNotice(9, many)
    expect(notice).toBe('9 *')
    expect(Buffer.byteLength(notice)).toBeLessThan(8000)
    expect(parseCommittedNotice(notice)).toEqual({ position: 9, types: null })
  })

  it('read a bare position (as older sinks sent it) as a batch of any type', () => {
    expect(parseCommittedNotice('1234')).toEqual({ position: 1234, types: null })
    expect(parseCommittedNotice(undefined)).toEqual({ position: 0, types: null })
  })
})
