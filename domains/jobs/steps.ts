import { absurd, integer, invalidInput, isPlainObject, knownKeys, oneOf, text, utf8Length, type InvalidInput } from '../shared/index.ts'
import { STEP_KINDS, type StepKind } from './commands.ts'
import type { JobStep } from './definition.ts'
import { parameterReferences } from './templates.ts'

export const MAX_STEPS = 100
const KiB = 1024
const MiB = 1024 * KiB
const STEP_KEYS = ['name', 'kind', 'command', 'script', 'interpreter', 'path', 'content', 'mode', 'timeoutSeconds']
const OWN_KEYS: Readonly<Record<StepKind, ReadonlyArray<string>>> = {
  COMMAND: ['command'],
  SCRIPT: ['script', 'interpreter'],
  UPLOAD: ['path', 'content', 'mode']
}
const DEFAULT_INTERPRETER = '/bin/sh'
// POSIX absolute or Windows drive-absolute (uploads to WinRM targets).
const ABSOLUTE_PATH = /^(\/|[A-Za-z]:[\\/])/
const INTERPRETER = /^(\/[^\s\u0000]*|[A-Za-z0-9][A-Za-z0-9._+-]*)$/

const present = (value: unknown): boolean => value !== undefined && value !== null

/** A body of text the worker will run or write; NUL cannot pass through exec or a shell. */
const body = (field: string, value: unknown, maxBytes: number, what: string): InvalidInput | undefined => {
  if (!present(value)) return invalidInput(field, `is required (${what})`)
  if (typeof value !== 'string') return invalidInput(field, 'must be a string')
  if (value.trim() === '') return invalidInput(field, 'must not be empty')
  const bytes = utf8Length(value)
  if (bytes > maxBytes) return invalidInput(field, `must be at most ${maxBytes / KiB} KiB (got ${Math.ceil(bytes / KiB)} KiB)`)
  return value.includes('\u0000') ? invalidInput(field, 'must not contain NUL characters') : undefined
}

/** File content may be empty or blank (an empty marker file is a fine upload). */
const fileContent = (field: string, value: unknown): InvalidInput | undefined => {
  if (typeof value !== 'string') return invalidInput(field, present(value) ? 'must be a string' : 'is required (the file content)')
  const bytes = utf8Length(value)
  return bytes > MiB ? invalidInput(field, `must be at most ${MiB / KiB} KiB (got ${Math.ceil(bytes / KiB)} KiB)`) : undefined
}

const checkKindFields = (field: string, kind: StepKind, step: Readonly<Record<string, unknown>>): InvalidInput | undefined => {
  switch (kind) {
    case 'COMMAND':
      return body(`${field}.command`, step.command, 64 * KiB, 'the command line to run')
    case 'SCRIPT':
      return (
        body(`${field}.script`, step.script, MiB, 'the script text') ??
        (present(step.interpreter)
          ? text(`${field}.interpreter`, step.interpreter, { max: 256, pattern: INTERPRETER, patternHint: 'must be an absolute path or a program name such as bash or python3' })()
          : undefined)
      )
    case 'UPLOAD':
      return (
        text(`${field}.path`, step.path, { max: 4096, pattern: ABSOLUTE_PATH, patternHint: 'must be an absolute path on the target' })() ??
        fileContent(`${field}.content`, step.content) ??
        (present(step.mode) ? text(`${field}.mode`, step.mode, { max: 4, pattern: /^[0-7]{3,4}$/, patternHint: 'must be an octal file mode such as 0644' })() : undefined)
      )
    default:
      return absurd(kind)
  }
}

const checkReferences = (field: string, step: Readonly<Record<string, unknown>>, parameterNames: ReadonlyArray<string>): InvalidInput | undefined => {
  for (const key of ['command', 'script', 'path', 'content']) {
    const value = step[key]
    if (typeof value !== 'string') continue
    const unknown = parameterReferences(value).find((name) => !parameterNames.includes(name))
    if (unknown !== undefined) return invalidInput(`${field}.${key}`, `refers to {{${unknown}}}, which is not a parameter of this job`)
  }
  return undefined
}

const normalizeStep = (field: string, input: unknown, parameterNames: ReadonlyArray<string>): InvalidInput | JobStep => {
  if (!isPlainObject(input)) return invalidInput(field, 'must be an object with a kind')
  const fault = knownKeys(field, input, STEP_KEYS)() ?? oneOf(`${field}.kind`, input.kind, STEP_KINDS)()
  if (fault) return fault
  const kind = input.kind as StepKind
  const foreign = STEP_KEYS.find((key) => present(input[key]) && !['name', 'kind', 'timeoutSeconds', ...OWN_KEYS[kind]].includes(key))
  if (foreign !== undefined) return invalidInput(`${field}.${foreign}`, `is not used by ${kind} steps`)
  // An empty name is what a form sends for "no name".
  const named = typeof input.name === 'string' && input.name.trim() !== ''
  const fieldFault =
    (present(input.name) && typeof input.name !== 'string' ? invalidInput(`${field}.name`, 'must be a string') : undefined) ??
    (named ? text(`${field}.name`, input.name, { max: 128 })() : undefined) ??
    (present(input.timeoutSeconds) ? integer(`${field}.timeoutSeconds`, input.timeoutSeconds, 1, 86400)() : undefined) ??
    checkKindFields(field, kind, input) ??
    checkReferences(field, input, parameterNames)
  if (fieldFault) return fieldFault
  const base = { name: named ? String(input.name) : null, timeoutSeconds: present(input.timeoutSeconds) ? Number(input.timeoutSeconds) : null }
  switch (kind) {
    case 'COMMAND':
      return { ...base, kind, command: String(input.command) }
    case 'SCRIPT':
      return { ...base, kind, script: String(input.script), interpreter: present(input.interpreter) ? String(input.interpreter) : DEFAULT_INTERPRETER }
    case 'UPLOAD':
      return { ...base, kind, path: String(input.path), content: String(input.content), mode: present(input.mode) ? String(input.mode).padStart(4, '0') : null }
    default:
      return absurd(kind)
  }
}

/** Validates the caller's steps (1–100) against the job's parameter names; canonical form out. */
export const normalizeSteps = (input: unknown, parameterNames: ReadonlyArray<string>): InvalidInput | { steps: JobStep[] } => {
  if (!Array.isArray(input)) return invalidInput('steps', 'must be a list of steps')
  if (input.length === 0) return invalidInput('steps', 'must hold at least one step')
  if (input.length > MAX_STEPS) return invalidInput('steps', `must hold at most ${MAX_STEPS} steps (got ${input.length})`)
  const steps: JobStep[] = []
  for (const [index, item] of input.entries()) {
    const step = normalizeStep(`steps[${index}]`, item, parameterNames)
    if ('_tag' in step) return step
    steps.push(step)
  }
  return { steps }
}
