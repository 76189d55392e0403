import type { Job, JobParameter, JobStep, ParameterType, StepKind } from '../api/types.ts'

/** A step as the editor holds it: every field as text, unused ones empty. */
export interface StepDraft {
  key: number
  kind: StepKind
  name: string
  command: string
  script: string
  interpreter: string
  path: string
  content: string
  mode: string
  timeoutSeconds: string
}

export interface ParameterDraft {
  key: number
  name: string
  type: ParameterType
  required: boolean
  default: string
  pattern: string
  /** One choice per line (ENUM). */
  choices: string
}

export interface JobDraft {
  name: string
  description: string
  steps: StepDraft[]
  parameters: ParameterDraft[]
}

let nextKey = 1
const key = () => nextKey++

export const newStep = (kind: StepKind = 'COMMAND'): StepDraft => ({
  key: key(), kind, name: '', command: '', script: '', interpreter: '', path: '', content: '', mode: '', timeoutSeconds: ''
})

export const newParameter = (): ParameterDraft => ({ key: key(), name: '', type: 'STRING', required: false, default: '', pattern: '', choices: '' })

export const emptyJob = (): JobDraft => ({ name: '', description: '', steps: [newStep()], parameters: [] })

const text = (v: string | number | null | undefined): string => (v === null || v === undefined ? '' : String(v))

export const stepDraft = (s: JobStep): StepDraft => ({
  key: key(),
  kind: s.kind,
  name: text(s.name),
  command: text(s.command),
  script: text(s.script),
  interpreter: text(s.interpreter),
  path: text(s.path),
  content: text(s.content),
  mode: text(s.mode),
  timeoutSeconds: text(s.timeoutSeconds)
})

export const parameterDraft = (p: JobParameter): ParameterDraft => ({
  key: key(),
  name: p.name,
  type: p.type,
  required: p.required,
  default: p.default === null || p.default === undefined ? '' : String(p.default),
  pattern: text(p.pattern),
  choices: (p.choices ?? []).join('\n')
})

export const jobDraft = (job: Job): JobDraft => ({
  name: job.name,
  description: text(job.description),
  steps: job.steps.map(stepDraft),
  parameters: job.parameters.map(parameterDraft)
})

export interface DraftFault {
  /** The argument path the server would name too, e.g. `steps[1].command`. */
  readonly field: string
  readonly message: string
}

const stepInput = (s: StepDraft, i: number): Record<string, unknown> | DraftFault => {
  const field = `steps[${i}]`
  const out: Record<string, unknown> = { kind: s.kind }
  if (s.name.trim()) out.name = s.name.trim()
  if (s.timeoutSeconds.trim()) {
    const n = Number(s.timeoutSeconds)
    if (!Number.isInteger(n) || n < 1) return { field: `${field}.timeoutSeconds`, message: `Step ${i + 1}: the timeout must be a whole number of seconds` }
    out.timeoutSeconds = n
  }
  switch (s.kind) {
    case 'COMMAND':
      if (!s.command.trim()) return { field: `${field}.command`, message: `Step ${i + 1}: enter the command to run` }
      out.command = s.command
      break
    case 'SCRIPT':
      if (!s.script.trim()) return { field: `${field}.script`, message: `Step ${i + 1}: enter the script` }
      out.script = s.script
      if (s.interpreter.trim()) out.interpreter = s.interpreter.trim()
      break
    case 'UPLOAD':
      if (!s.path.trim()) return { field: `${field}.path`, message: `Step ${i + 1}: enter the destination path on the target` }
      out.path = s.path.trim()
      out.content = s.content
      if (s.mode.trim()) out.mode = s.mode.trim()
      break
  }
  return out
}

/** The default as the parameter's type (INT as a number, BOOL as true/false). */
const typedDefault = (p: ParameterDraft, field: string): unknown | DraftFault => {
  const value = p.default.trim()
  if (!value || p.type === 'SECRET') return undefined
  if (p.type === 'INT') return /^-?\d+$/.test(value) ? Number(value) : { field, message: `Parameter ${p.name}: the default must be a whole number` }
  if (p.type === 'BOOL') return value === 'true' ? true : value === 'false' ? false : { field, message: `Parameter ${p.name}: the default must be true or false` }
  return p.default
}

const isFault = (v: unknown): v is DraftFault => typeof v === 'object' && v !== null && 'field' in v && 'message' in v

const parameterInput = (p: ParameterDraft, i: number): Record<string, unknown> | DraftFault => {
  const field = `parameters[${i}]`
  if (!p.name.trim()) return { field: `${field}.name`, message: `Parameter ${i + 1}: enter a name` }
  const out: Record<string, unknown> = { name: p.name.trim(), type: p.type, required: p.required }
  const def = typedDefault(p, `${field}.default`)
  if (isFault(def)) return def
  if (def !== undefined) out.default = def
  if ((p.type === 'STRING' || p.type === 'SECRET') && p.pattern.trim()) out.pattern = p.pattern.trim()
  if (p.type === 'ENUM') {
    const choices = p.choices.split('\n').map((c) => c.trim()).filter(Boolean)
    if (choices.length === 0) return { field: `${field}.choices`, message: `Parameter ${p.name}: list at least one choice` }
    out.choices = choices
  }
  return out
}

/** defineJob / reviseJob variables, or the first thing to fix. */
export const jobInput = (d: JobDraft): { ok: true; value: { name: string; description: string | null; steps: unknown[]; parameters: unknown[] } } | ({ ok: false } & DraftFault) => {
  if (!d.name.trim()) return { ok: false, field: 'name', message: 'Name: enter a name for the job' }
  if (d.steps.length === 0) return { ok: false, field: 'steps', message: 'Steps: add at least one step' }
  const steps: unknown[] = []
  for (const [i, s] of d.steps.entries()) {
    const step = stepInput(s, i)
    if (isFault(step)) return { ok: false, ...step }
    steps.push(step)
  }
  const parameters: unknown[] = []
  for (const [i, p] of d.parameters.entries()) {
    const parameter = parameterInput(p, i)
    if (isFault(parameter)) return { ok: false, ...parameter }
    parameters.push(parameter)
  }
  return { ok: true, value: { name: d.name.trim(), description: d.description.trim() || null, steps, parameters } }
}

/** Moves item `from` to `to` (for reordering steps). */
export const move = <T>(items: ReadonlyArray<T>, from: number, to: number): T[] => {
  if (to < 0 || to >= items.length || from === to) return [...items]
  const out = [...items]
  const [item] = out.splice(from, 1)
  out.splice(to, 0, item!)
  return out
}
