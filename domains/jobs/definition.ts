import type { ParameterType } from './commands.ts'

/** The canonical, validated form stored in events: absent optional values are `null`, never missing. */
interface StepBase {
  readonly name: string | null
  /** null: the worker's default timeout. */
  readonly timeoutSeconds: number | null
}
export interface CommandStep extends StepBase {
  readonly kind: 'COMMAND'
  readonly command: string
}
export interface ScriptStep extends StepBase {
  readonly kind: 'SCRIPT'
  readonly script: string
  /** Absolute path or bare program name; '/bin/sh' when not given. */
  readonly interpreter: string
}
export interface UploadStep extends StepBase {
  readonly kind: 'UPLOAD'
  readonly path: string
  readonly content: string
  /** Four octal digits, e.g. '0644'; null keeps the target's default. */
  readonly mode: string | null
}
export type JobStep = CommandStep | ScriptStep | UploadStep

export type ParameterValue = string | number | boolean

export interface JobParameter {
  readonly name: string
  readonly type: ParameterType
  readonly required: boolean
  readonly default: ParameterValue | null
  /** Must match the whole value (it is anchored when applied). STRING and SECRET only. */
  readonly pattern: string | null
  /** ENUM only, non-empty. */
  readonly choices: ReadonlyArray<string> | null
}

export interface JobDefinition {
  readonly name: string
  readonly description: string | null
  readonly steps: ReadonlyArray<JobStep>
  readonly parameters: ReadonlyArray<JobParameter>
}
