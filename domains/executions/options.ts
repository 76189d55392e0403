import { firstInvalid, integer, invalidInput, isPlainObject, knownKeys, oneOf, type InvalidInput } from '../shared/index.ts'
import { FAILURE_POLICIES, type BatchSize, type ExecutionOptions } from './commands.ts'

export const MAX_TARGETS = 10_000
/** Backoff never waits longer than this, however many retries. */
export const MAX_BACKOFF_SECONDS = 3600

export const DEFAULT_OPTIONS: ExecutionOptions = {
  parallelism: 10,
  batchSize: null,
  failurePolicy: 'CONTINUE',
  maxFailedPercent: null,
  retries: 0,
  retryBackoffSeconds: 30,
  stepTimeoutSeconds: null
}

const OPTION_KEYS = Object.keys(DEFAULT_OPTIONS)

export type NormalizedOptions = { readonly ok: true; readonly options: ExecutionOptions }
export type OptionsFault = InvalidInput & { readonly ok: false }

const present = (value: unknown): boolean => value !== undefined && value !== null

const normalizeBatchSize = (value: unknown): InvalidInput | { batchSize: BatchSize | null } => {
  if (!present(value)) return { batchSize: null }
  const shape = 'must be null, { count: n } or { percent: p }'
  if (!isPlainObject(value)) return invalidInput('batchSize', shape)
  const keys = Object.keys(value)
  if (keys.length !== 1) return invalidInput('batchSize', shape)
  if ('count' in value) {
    const fault = integer('batchSize.count', value.count, 1, MAX_TARGETS)()
    return fault ?? { batchSize: { count: value.count as number } }
  }
  if ('percent' in value) {
    const fault = integer('batchSize.percent', value.percent, 1, 100)()
    return fault ?? { batchSize: { percent: value.percent as number } }
  }
  return invalidInput(`batchSize.${keys[0]}`, `is not a known field (${shape})`)
}

/**
 * Checks run options and fills defaults; the edge calls it before requesting so a caller hears
 * about `parallelism: 0` at once. Faults name the option (`parallelism`, `batchSize.percent`, …).
 */
export const normalizeExecutionOptions = (input: unknown): NormalizedOptions | OptionsFault => {
  const fail = (fault: InvalidInput): OptionsFault => ({ ...fault, ok: false })
  const given = present(input) ? input : {}
  if (!isPlainObject(given)) return fail(invalidInput('options', 'must be an object of run options'))
  const value = (key: keyof ExecutionOptions): unknown => (present(given[key]) ? given[key] : DEFAULT_OPTIONS[key])
  const fault = firstInvalid(
    knownKeys('options', given, OPTION_KEYS),
    integer('parallelism', value('parallelism'), 1, 1000),
    oneOf('failurePolicy', value('failurePolicy'), FAILURE_POLICIES),
    () => (present(given.maxFailedPercent) ? integer('maxFailedPercent', given.maxFailedPercent, 0, 100)() : undefined),
    integer('retries', value('retries'), 0, 10),
    integer('retryBackoffSeconds', value('retryBackoffSeconds'), 0, MAX_BACKOFF_SECONDS),
    () => (present(given.stepTimeoutSeconds) ? integer('stepTimeoutSeconds', given.stepTimeoutSeconds, 1, 86_400)() : undefined)
  )
  if (fault) return fail(fault)
  const batch = normalizeBatchSize(given.batchSize)
  if ('_tag' in batch) return fail(batch)
  return {
    ok: true,
    options: {
      parallelism: value('parallelism') as number,
      batchSize: batch.batchSize,
      failurePolicy: value('failurePolicy') as ExecutionOptions['failurePolicy'],
      maxFailedPercent: present(given.maxFailedPercent) ? (given.maxFailedPercent as number) : null,
      retries: value('retries') as number,
      retryBackoffSeconds: value('retryBackoffSeconds') as number,
      stepTimeoutSeconds: present(given.stepTimeoutSeconds) ? (given.stepTimeoutSeconds as number) : null
    }
  }
}

/** Targets per rolling batch; all of them when there are no batches. A percent rounds up. */
export const batchLength = (options: ExecutionOptions, total: number): number => {
  const size = options.batchSize
  if (size === null) return total
  const length = 'count' in size ? size.count : Math.ceil((total * size.percent) / 100)
  return Math.max(1, Math.min(total, length))
}

/** Wait before attempt `attempt` (≥ 2): base · 2^(attempt−2) seconds, capped at one hour. */
export const backoffSeconds = (options: ExecutionOptions, attempt: number): number =>
  Math.min(MAX_BACKOFF_SECONDS, options.retryBackoffSeconds * 2 ** Math.max(0, attempt - 2))

/** The timeout a worker applies to one step: its own, else the run's default, else the worker's (null). */
export const stepTimeoutFor = (step: { readonly timeoutSeconds: number | null }, options: ExecutionOptions): number | null =>
  step.timeoutSeconds ?? options.stepTimeoutSeconds
