import { describe, expect, it } from 'vitest'
import { backoffSeconds, DEFAULT_OPTIONS, normalizeExecutionOptions, stepTimeoutFor } from './options.ts'
import { addSeconds, elapsedMs, formatInstant, parseInstant } from '../shared/time.ts'

const faultOf = (input: unknown) => {
  const result = normalizeExecutionOptions(input)
  return result.ok ? undefined : result.field
}

describe('Execution options', () => {
  describe('when left out', () => {
    it('take their defaults', () => expect(normalizeExecutionOptions(undefined)).toEqual({ ok: true, options: DEFAULT_OPTIONS }))
    it('take their defaults one by one, nulls included', () =>
      expect(normalizeExecutionOptions({ parallelism: 50, retries: null })).toEqual({ ok: true, options: { ...DEFAULT_OPTIONS, parallelism: 50 } }))
  })

  describe('when given', () => {
    it('keep every valid value', () => {
      const options = {
        parallelism: 1000,
        batchSize: { percent: 20 },
        failurePolicy: 'STOP',
        maxFailedPercent: 0,
        retries: 10,
        retryBackoffSeconds: 3600,
        stepTimeoutSeconds: 86_400
      } as const
      expect(normalizeExecutionOptions(options)).toEqual({ ok: true, options })
    })
    it('accept a batch by count', () => expect(normalizeExecutionOptions({ batchSize: { count: 5 } })).toMatchObject({ ok: true, options: { batchSize: { count: 5 } } }))
  })

  describe('when invalid', () => {
    it.each([
      ['parallelism', { parallelism: 0 }],
      ['parallelism', { parallelism: 1001 }],
      ['parallelism', { parallelism: 2.5 }],
      ['parallelism', { parallelism: '10' }],
      ['batchSize', { batchSize: 5 }],
      ['batchSize', { batchSize: { count: 1, percent: 10 } }],
      ['batchSize.count', { batchSize: { count: 0 } }],
      ['batchSize.percent', { batchSize: { percent: 101 } }],
      ['batchSize.size', { batchSize: { size: 3 } }],
      ['failurePolicy', { failurePolicy: 'ABORT' }],
      ['maxFailedPercent', { maxFailedPercent: 101 }],
      ['maxFailedPercent', { maxFailedPercent: -1 }],
      ['retries', { retries: 11 }],
      ['retryBackoffSeconds', { retryBackoffSeconds: 3601 }],
      ['stepTimeoutSeconds', { stepTimeoutSeconds: 0 }],
      ['stepTimeoutSeconds', { stepTimeoutSeconds: 86_401 }],
      ['options.paralelism', { paralelism: 5 }],
      ['options', 'fast']
    ])('name %s', (field, input) => expect(faultOf(input)).toBe(field))
    it('say what is allowed', () => {
      const result = normalizeExecutionOptions({ parallelism: 0 })
      expect(!result.ok && result.message).toBe('parallelism: must be an integer from 1 to 1000 (got 0)')
    })
  })

  describe('backoff', () => {
    const options = { ...DEFAULT_OPTIONS, retryBackoffSeconds: 30 }
    it('waits the base before the second attempt and doubles after', () => expect([2, 3, 4, 5].map((attempt) => backoffSeconds(options, attempt))).toEqual([30, 60, 120, 240]))
    it('never waits more than an hour', () => expect(backoffSeconds({ ...options, retryBackoffSeconds: 3600 }, 11)).toBe(3600))
  })

  describe('step timeout', () => {
    it("prefers the step's own timeout", () => expect(stepTimeoutFor({ timeoutSeconds: 5 }, { ...DEFAULT_OPTIONS, stepTimeoutSeconds: 60 })).toBe(5))
    it("falls back to the run's default", () => expect(stepTimeoutFor({ timeoutSeconds: null }, { ...DEFAULT_OPTIONS, stepTimeoutSeconds: 60 })).toBe(60))
    it("leaves it to the worker when neither is set", () => expect(stepTimeoutFor({ timeoutSeconds: null }, DEFAULT_OPTIONS)).toBeNull())
  })
})

describe('Instants', () => {
  it.each([
    [0, '1970-01-01T00:00:00.000Z'],
    [951_782_400_000, '2000-02-29T00:00:00.000Z'],
    [1_709_251_199_999, '2024-02-29T23:59:59.999Z'],
    [1_735_689_599_000, '2024-12-31T23:59:59.000Z'],
    [253_402_300_799_000, '9999-12-31T23:59:59.000Z']
  ])('formats %d as %s', (ms, iso) => {
    expect(formatInstant(ms)).toBe(iso)
    expect(parseInstant(iso)).toBe(ms)
  })
  it('adds seconds across a year end', () => expect(addSeconds('2024-12-31T23:59:30.000Z', 45)).toBe('2025-01-01T00:00:15.000Z'))
  it('accepts fractions of any length', () => expect(parseInstant('2025-01-01T00:00:00Z')).toBe(1_735_689_600_000))
  it('rejects local times and offsets', () => {
    expect(parseInstant('2025-01-01T00:00:00')).toBeUndefined()
    expect(parseInstant('2025-01-01T00:00:00+02:00')).toBeUndefined()
    expect(parseInstant('2025-02-30T00:00:00Z')).toBeUndefined()
  })
  it('never measures a negative duration', () => expect(elapsedMs('2025-01-01T00:00:10Z', '2025-01-01T00:00:00Z')).toBe(0))
})
