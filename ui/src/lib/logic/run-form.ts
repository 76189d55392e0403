import type { FailurePolicy, JobParameter } from '../api/types.ts'

/** A form value per parameter: text for STRING/INT/ENUM/SECRET, a boolean for BOOL. */
export type ParameterValues = Record<string, string | boolean>

export const initialValues = (parameters: ReadonlyArray<JobParameter>): ParameterValues =>
  Object.fromEntries(
    parameters.map((p) => [p.name, p.type === 'BOOL' ? p.default === true : p.default === null || p.default === undefined || p.type === 'SECRET' ? '' : String(p.default)])
  )

/**
 * The same checks the server makes (required, integer, pattern over the whole value, choices),
 * so mistakes show under the field before anything is sent. Keyed by parameter name.
 */
export const parameterErrors = (parameters: ReadonlyArray<JobParameter>, values: ParameterValues): Record<string, string> => {
  const errors: Record<string, string> = {}
  for (const p of parameters) {
    const value = values[p.name]
    if (p.type === 'BOOL') continue
    const text = typeof value === 'string' ? value : ''
    if (text === '') {
      if (p.required && (p.default === null || p.default === undefined)) errors[p.name] = 'Required'
      continue
    }
    if (p.type === 'INT' && !/^-?\d{1,16}$/.test(text.trim())) errors[p.name] = 'Must be a whole number'
    else if (p.type === 'ENUM' && !(p.choices ?? []).includes(text)) errors[p.name] = `Must be one of ${(p.choices ?? []).join(', ')}`
    else if ((p.type === 'STRING' || p.type === 'SECRET') && p.pattern) {
      let pattern: RegExp | null = null
      try {
        pattern = new RegExp(`^(?:${p.pattern})$`)
      } catch {
        pattern = null
      }
      if (pattern && !pattern.test(text)) errors[p.name] = p.type === 'SECRET' ? 'Does not have the expected form' : `Must match ${p.pattern}`
    }
  }
  return errors
}

/** The `parameters` JSON of runJob: typed values, empty optional ones left out (defaults apply). */
export const parameterPayload = (parameters: ReadonlyArray<JobParameter>, values: ParameterValues): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  for (const p of parameters) {
    const value = values[p.name]
    if (p.type === 'BOOL') out[p.name] = value === true
    else if (typeof value === 'string' && value !== '') out[p.name] = p.type === 'INT' ? Number(value.trim()) : value
  }
  return out
}

export interface RunOptions {
  parallelism: string
  batch: 'none' | 'count' | 'percent'
  batchValue: string
  failurePolicy: FailurePolicy
  maxFailedPercent: string
  retries: string
  retryBackoffSeconds: string
  stepTimeoutSeconds: string
}

export const defaultOptions = (): RunOptions => ({
  parallelism: '10',
  batch: 'none',
  batchValue: '',
  failurePolicy: 'CONTINUE',
  maxFailedPercent: '',
  retries: '0',
  retryBackoffSeconds: '30',
  stepTimeoutSeconds: ''
})

type Bound = readonly [field: keyof RunOptions, argument: string, low: number, high: number, label: string]
const BOUNDS: ReadonlyArray<Bound> = [
  ['parallelism', 'parallelism', 1, 1000, 'Parallelism'],
  ['maxFailedPercent', 'maxFailedPercent', 0, 100, 'Maximum failed'],
  ['retries', 'retries', 0, 10, 'Retries'],
  ['retryBackoffSeconds', 'retryBackoffSeconds', 0, 3600, 'Retry backoff'],
  ['stepTimeoutSeconds', 'stepTimeoutSeconds', 1, 86_400, 'Step timeout']
]

/** runJob option arguments, or errors keyed by the argument names the server uses. */
export const optionArguments = (o: RunOptions): { ok: true; value: Record<string, unknown> } | { ok: false; errors: Record<string, string> } => {
  const errors: Record<string, string> = {}
  const value: Record<string, unknown> = { failurePolicy: o.failurePolicy }
  for (const [field, argument, low, high, label] of BOUNDS) {
    const text = String(o[field]).trim()
    if (text === '') continue
    const n = Number(text)
    if (!Number.isInteger(n) || n < low || n > high) errors[argument] = `${label} must be a whole number from ${low} to ${high}`
    else value[argument] = n
  }
  if (o.batch !== 'none') {
    const n = Number(o.batchValue.trim())
    const high = o.batch === 'percent' ? 100 : 10_000
    const argument = o.batch === 'percent' ? 'batchPercent' : 'batchSize'
    if (!Number.isInteger(n) || n < 1 || n > high) errors[argument] = `Batch size must be a whole number from 1 to ${high}${o.batch === 'percent' ? ' (percent)' : ''}`
    else value[argument] = n
  }
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, value }
}
