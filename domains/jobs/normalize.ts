import { integer, invalidInput, isPlainObject, knownKeys, oneOf, text, uuid, type InvalidInput } from '../shared/index.ts'
import { CONCURRENCY_POLICIES, type ConcurrencyPolicy } from './commands.ts'
import { DEFAULT_CONCURRENCY, MAX_CONCURRENT_RUNS, type JobConcurrency, type JobDefinition } from './definition.ts'
import type { JobDefined } from './events.ts'
import { normalizeParameters } from './parameters.ts'
import { normalizeSteps } from './steps.ts'

export const checkJobId = (value: unknown) => uuid('id', value)

interface DefinitionInput {
  readonly name: unknown
  readonly description?: unknown
  readonly steps: unknown
  readonly parameters?: unknown
  readonly concurrency?: unknown
}

const description = (value: unknown): InvalidInput | { description: string | null } => {
  if (value === undefined || value === null || value === '') return { description: null }
  if (typeof value !== 'string') return invalidInput('description', 'must be a string')
  if (value.length > 4096) return invalidInput('description', `must be at most 4096 characters (got ${value.length})`)
  return { description: value }
}

const present = (value: unknown): boolean => value !== undefined && value !== null

/** `{ policy, max? }`; absent → ALLOW with max 1. `max` defaults to 1 and is checked for every policy. */
export const normalizeConcurrency = (value: unknown): InvalidInput | { concurrency: JobConcurrency } => {
  if (!present(value)) return { concurrency: DEFAULT_CONCURRENCY }
  if (!isPlainObject(value)) return invalidInput('concurrency', 'must be an object { policy, max }')
  const fault =
    knownKeys('concurrency', value, ['policy', 'max'])() ??
    oneOf('concurrency.policy', value.policy, CONCURRENCY_POLICIES)() ??
    (present(value.max) ? integer('concurrency.max', value.max, 1, MAX_CONCURRENT_RUNS)() : undefined)
  if (fault) return fault
  return { concurrency: { policy: value.policy as ConcurrencyPolicy, max: present(value.max) ? (value.max as number) : DEFAULT_CONCURRENCY.max } }
}

/** Upcast on read: a definition event written before concurrency existed runs with the default. */
export const definitionOf = (data: JobDefined['data']): JobDefinition => {
  const { name, description, steps, parameters, concurrency } = data
  return { name, description, steps, parameters, concurrency: concurrency ?? DEFAULT_CONCURRENCY }
}

/**
 * The one place a caller's job becomes a canonical `JobDefinition`: parameters first, because
 * steps may only refer to parameters that exist.
 */
export const normalizeDefinition = (input: DefinitionInput): InvalidInput | JobDefinition => {
  const nameFault = text('name', input.name, { max: 128 })()
  if (nameFault) return nameFault
  const described = description(input.description)
  if ('_tag' in described) return described
  const parameters = normalizeParameters(input.parameters)
  if ('_tag' in parameters) return parameters
  const steps = normalizeSteps(
    input.steps,
    parameters.parameters.map((parameter) => parameter.name)
  )
  if ('_tag' in steps) return steps
  const concurrency = normalizeConcurrency(input.concurrency)
  if ('_tag' in concurrency) return concurrency
  return { name: String(input.name), description: described.description, steps: steps.steps, parameters: parameters.parameters, concurrency: concurrency.concurrency }
}
