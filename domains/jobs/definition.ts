import type { ConcurrencyPolicy, ParameterType } from './commands.ts'

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

/**
 * Runs of one job at the same time. ALLOW: any number (`max` is kept but not applied). QUEUE:
 * at most `max` run; later runs wait in order. SKIP: at most `max` run; later runs are refused.
 */
export interface JobConcurrency {
  readonly policy: ConcurrencyPolicy
  /** 1–100. */
  readonly max: number
}

export const MAX_CONCURRENT_RUNS = 100
export const DEFAULT_CONCURRENCY: JobConcurrency = { policy: 'ALLOW', max: 1 }

export interface JobDefinition {
  readonly name: string
  readonly description: string | null
  readonly steps: ReadonlyArray<JobStep>
  readonly parameters: ReadonlyArray<JobParameter>
  readonly concurrency: JobConcurrency
}
