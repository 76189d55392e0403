import { invalidInput, text, uuid, type InvalidInput } from '../shared/index.ts'
import type { JobDefinition } from './definition.ts'
import { normalizeParameters } from './parameters.ts'
import { normalizeSteps } from './steps.ts'

export const checkJobId = (value: unknown) => uuid('id', value)

interface DefinitionInput {
  readonly name: unknown
  readonly description?: unknown
  readonly steps: unknown
  readonly parameters?: unknown
}

const description = (value: unknown): InvalidInput | { description: string | null } => {
  if (value === undefined || value === null || value === '') return { description: null }
  if (typeof value !== 'string') return invalidInput('description', 'must be a string')
  if (value.length > 4096) return invalidInput('description', `must be at most 4096 characters (got ${value.length})`)
  return { description: value }
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
  return { name: String(input.name), description: described.description, steps: steps.steps, parameters: parameters.parameters }
}
