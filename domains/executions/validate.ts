import { instant, integer, invalidInput, isPlainObject, oneOf, text, uuid, type Check } from '../shared/index.ts'
import type { ExecutionTarget, RequestExecution } from './commands.ts'
import { MAX_TARGETS } from './options.ts'

// The jobs domain caps a job at 100 steps; a version read back never holds more.
const MAX_STEPS = 100

export const checkExecutionId = (value: unknown): Check => uuid('executionId', value)

export const checkAt = (value: unknown): Check => instant('at', value)

const ACTOR_KINDS = ['user', 'token', 'system'] as const

export const checkRequester =
  (field: string, value: unknown): Check =>
  () => {
    if (!isPlainObject(value)) return invalidInput(field, 'must be { kind, id, name }')
    return oneOf(`${field}.kind`, value.kind, ACTOR_KINDS)() ?? text(`${field}.id`, value.id, { max: 128 })() ?? text(`${field}.name`, value.name, { max: 256 })()
  }

/** One pass, a Set for duplicates: 10,000 targets cost nothing worth measuring. */
export const checkTargets =
  (value: unknown): Check =>
  () => {
    if (!Array.isArray(value) || value.length === 0) return invalidInput('targetIds', 'must name at least one target')
    if (value.length > MAX_TARGETS) return invalidInput('targetIds', `must name at most ${MAX_TARGETS} targets (got ${value.length})`)
    const seen = new Set<string>()
    for (const [index, target] of (value as ReadonlyArray<Partial<ExecutionTarget>>).entries()) {
      const fault = uuid(`targetIds[${index}]`, target?.targetId)() ?? text(`targets[${index}].name`, target?.name, { max: 256 })()
      if (fault) return fault
      const targetId = String(target.targetId)
      if (seen.has(targetId)) return invalidInput(`targetIds[${index}]`, `repeats target ${targetId}`)
      seen.add(targetId)
    }
    return undefined
  }

const isSealed = (value: Readonly<Record<string, unknown>>): boolean =>
  value.sealed === true && ['keyId', 'iv', 'ciphertext', 'authTag'].every((key) => typeof value[key] === 'string' && value[key] !== '')

/** Values are never echoed: a SECRET arrives sealed, but a mistake could hand over plain text. */
export const checkParameters =
  (value: unknown): Check =>
  () => {
    if (!isPlainObject(value)) return invalidInput('parameters', 'must be an object of parameter values')
    for (const [name, parameter] of Object.entries(value)) {
      const field = `parameters.${name}`
      if (typeof parameter === 'string' || typeof parameter === 'boolean') continue
      if (typeof parameter === 'number' && Number.isFinite(parameter)) continue
      if (isPlainObject(parameter) && isSealed(parameter)) continue
      return invalidInput(field, 'must be a string, a number, true/false or a sealed secret')
    }
    return undefined
  }

/** Steps come canonical from the job's stored version; only their presence is checked here. */
export const checkSteps =
  (value: unknown): Check =>
  () =>
    Array.isArray(value) && value.length >= 1 && value.length <= MAX_STEPS
      ? undefined
      : invalidInput('steps', `must hold 1 to ${MAX_STEPS} steps of the job version`)

export const checkRequest = (command: RequestExecution): ReadonlyArray<Check> => [
  checkExecutionId(command.executionId),
  uuid('jobId', command.jobId),
  integer('jobVersion', command.jobVersion, 1, Number.MAX_SAFE_INTEGER),
  text('jobName', command.jobName, { max: 128 }),
  checkSteps(command.steps),
  checkParameters(command.parameters),
  checkTargets(command.targets),
  checkRequester('requestedBy', command.requestedBy),
  () => (command.held === undefined || command.held === null ? undefined : checkFlag('held', command.held)()),
  checkAt(command.at)
]

export const checkAttempt = (value: unknown): Check => integer('attempt', value, 1, 11)
export const checkExitCode =
  (value: unknown): Check =>
  () =>
    value === null || (typeof value === 'number' && Number.isSafeInteger(value)) ? undefined : invalidInput('exitCode', 'must be an integer or null')
export const checkCount = (field: string, value: unknown): Check => integer(field, value, 0, Number.MAX_SAFE_INTEGER)
export const checkFlag =
  (field: string, value: unknown): Check =>
  () =>
    typeof value === 'boolean' ? undefined : invalidInput(field, 'must be true or false')

const MAX_MESSAGE = 2000

/** Worker messages are free text; too long a one is cut, not refused, so the report still lands. */
export const message = (value: string | null): string | null => (value === null || value.length <= MAX_MESSAGE ? value : `${value.slice(0, MAX_MESSAGE - 1)}…`)

export const checkMessage =
  (field: string, value: unknown, required: boolean): Check =>
  () => {
    if (value === null || value === undefined) return required ? invalidInput(field, 'is required') : undefined
    if (typeof value !== 'string') return invalidInput(field, 'must be a string')
    return required && value.trim() === '' ? invalidInput(field, 'must not be empty') : undefined
  }
