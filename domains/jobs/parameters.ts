import { absurd, invalidInput, isPlainObject, knownKeys, oneOf, text, type InvalidInput } from '../shared/index.ts'
import { PARAMETER_TYPES, type ParameterType } from './commands.ts'
import type { JobParameter, ParameterValue } from './definition.ts'

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/
const PARAMETER_KEYS = ['name', 'type', 'required', 'default', 'pattern', 'choices']
export const MAX_PARAMETERS = 50
const MAX_VALUE_LENGTH = 65536

const present = (value: unknown): boolean => value !== undefined && value !== null
const quote = (value: unknown): string => JSON.stringify(typeof value === 'string' && value.length > 60 ? `${value.slice(0, 60)}…` : value)

/** Patterns must match the whole value; a bare `[a-z]+` would otherwise accept "rm -rf /; a". */
const anchored = (pattern: string): RegExp => new RegExp(`^(?:${pattern})$`)

const compiles = (pattern: string): boolean => {
  try {
    anchored(pattern)
    return true
  } catch {
    return false
  }
}

/**
 * Checks one value against its parameter and returns it in canonical type. INT and BOOL also
 * accept their decimal / "true" / "false" spellings, as schedules and webhooks send strings.
 * SECRET values are never echoed.
 */
export const checkValue = (field: string, parameter: JobParameter, value: unknown): InvalidInput | { value: ParameterValue } => {
  const secret = parameter.type === 'SECRET'
  const got = secret ? '' : ` (got ${quote(value)})`
  switch (parameter.type) {
    case 'STRING':
    case 'SECRET': {
      if (typeof value !== 'string') return invalidInput(field, `must be a string${secret ? '' : ` (got ${typeof value})`}`)
      if (value.length > MAX_VALUE_LENGTH) return invalidInput(field, `must be at most ${MAX_VALUE_LENGTH} characters (got ${value.length})`)
      if (parameter.pattern !== null && !anchored(parameter.pattern).test(value)) return invalidInput(field, `must match the pattern ${parameter.pattern}${got}`)
      return { value }
    }
    case 'INT': {
      const number = typeof value === 'string' && /^-?[0-9]{1,16}$/.test(value) ? Number(value) : value
      return typeof number === 'number' && Number.isSafeInteger(number) ? { value: number } : invalidInput(field, `must be an integer${got}`)
    }
    case 'BOOL': {
      const bool = value === 'true' ? true : value === 'false' ? false : value
      return typeof bool === 'boolean' ? { value: bool } : invalidInput(field, `must be true or false${got}`)
    }
    case 'ENUM':
      return typeof value === 'string' && (parameter.choices ?? []).includes(value)
        ? { value }
        : invalidInput(field, `must be one of ${(parameter.choices ?? []).join(', ')}${got}`)
    default:
      return absurd(parameter.type)
  }
}

const checkChoices = (field: string, type: ParameterType, choices: unknown): InvalidInput | undefined => {
  if (type !== 'ENUM') return present(choices) ? invalidInput(field, 'is only for ENUM parameters') : undefined
  if (!Array.isArray(choices) || choices.length === 0) return invalidInput(field, 'must list at least one choice for an ENUM parameter')
  if (choices.length > 100) return invalidInput(field, `must hold at most 100 choices (got ${choices.length})`)
  for (const [index, choice] of choices.entries()) {
    const fault = text(`${field}[${index}]`, choice, { max: 256 })()
    if (fault) return fault
    if (choices.indexOf(choice) !== index) return invalidInput(`${field}[${index}]`, `repeats the choice ${quote(choice)}`)
  }
  return undefined
}

const checkPattern = (field: string, type: ParameterType, pattern: unknown): InvalidInput | undefined => {
  if (!present(pattern)) return undefined
  if (type !== 'STRING' && type !== 'SECRET') return invalidInput(field, 'is only for STRING and SECRET parameters')
  const fault = text(field, pattern, { max: 1024 })()
  if (fault) return fault
  return compiles(String(pattern)) ? undefined : invalidInput(field, `is not a valid JavaScript regular expression (got ${quote(pattern)})`)
}

const normalizeParameter = (field: string, input: unknown): InvalidInput | JobParameter => {
  if (!isPlainObject(input)) return invalidInput(field, 'must be an object with name and type')
  const keyFault = knownKeys(field, input, PARAMETER_KEYS)()
  if (keyFault) return keyFault
  const nameFault = text(`${field}.name`, input.name, { max: 64, pattern: NAME, patternHint: 'must start with a letter or "_" and hold at most 64 letters, digits and "_"' })()
  if (nameFault) return nameFault
  const typeFault = oneOf(`${field}.type`, input.type, PARAMETER_TYPES)()
  if (typeFault) return typeFault
  const type = input.type as ParameterType
  if (present(input.required) && typeof input.required !== 'boolean') return invalidInput(`${field}.required`, 'must be true or false')
  const fault = checkPattern(`${field}.pattern`, type, input.pattern) ?? checkChoices(`${field}.choices`, type, input.choices)
  if (fault) return fault
  const parameter: JobParameter = {
    name: String(input.name),
    type,
    required: input.required === true,
    default: null,
    pattern: present(input.pattern) ? String(input.pattern) : null,
    choices: type === 'ENUM' ? [...(input.choices as string[])] : null
  }
  if (!present(input.default)) return parameter
  // A secret in a job definition would sit in plain text in the event log.
  if (type === 'SECRET') return invalidInput(`${field}.default`, 'SECRET parameters cannot have a default')
  const checked = checkValue(`${field}.default`, parameter, input.default)
  return 'value' in checked ? { ...parameter, default: checked.value } : checked
}

/** Validates the caller's parameter list and returns it in canonical form. */
export const normalizeParameters = (input: unknown): InvalidInput | { parameters: JobParameter[] } => {
  if (!present(input)) return { parameters: [] }
  if (!Array.isArray(input)) return invalidInput('parameters', 'must be a list of parameters')
  if (input.length > MAX_PARAMETERS) return invalidInput('parameters', `must hold at most ${MAX_PARAMETERS} parameters (got ${input.length})`)
  const parameters: JobParameter[] = []
  for (const [index, item] of input.entries()) {
    const parameter = normalizeParameter(`parameters[${index}]`, item)
    if ('_tag' in parameter) return parameter
    const first = parameters.findIndex((other) => other.name === parameter.name)
    if (first !== -1) return invalidInput(`parameters[${index}].name`, `repeats the name ${parameter.name} of parameters[${first}]`)
    parameters.push(parameter)
  }
  return { parameters }
}

export type RunParameters = { readonly ok: true; readonly values: Record<string, ParameterValue> }
export type RunParametersFault = InvalidInput & { readonly ok: false }

/**
 * Checks the values of one run against the job's parameters: unknown names, missing required
 * values, types, patterns and choices. Defaults fill unset values; unset optional ones stay out.
 * Faults name `parameters.<name>`.
 */
export const validateRunParameters = (parameters: ReadonlyArray<JobParameter>, values: unknown): RunParameters | RunParametersFault => {
  const fail = (fault: InvalidInput): RunParametersFault => ({ ...fault, ok: false })
  const given = values === undefined || values === null ? {} : values
  if (!isPlainObject(given)) return fail(invalidInput('parameters', 'must be an object of parameter values'))
  const names = parameters.map((parameter) => parameter.name)
  const unknown = Object.keys(given).find((name) => !names.includes(name))
  if (unknown !== undefined)
    return fail(invalidInput(`parameters.${unknown}`, `is not a parameter of this job${names.length ? ` (it takes ${names.join(', ')})` : ''}`))
  const result: Record<string, ParameterValue> = {}
  for (const parameter of parameters) {
    const field = `parameters.${parameter.name}`
    const value = given[parameter.name]
    if (!present(value)) {
      if (parameter.default !== null) result[parameter.name] = parameter.default
      else if (parameter.required) return fail(invalidInput(field, 'is required'))
      continue
    }
    const checked = checkValue(field, parameter, value)
    if (!('value' in checked)) return fail(checked)
    result[parameter.name] = checked.value
  }
  return { ok: true, values: result }
}
