export const STEP_KINDS = ['COMMAND', 'SCRIPT', 'UPLOAD'] as const
export type StepKind = (typeof STEP_KINDS)[number]
export const PARAMETER_TYPES = ['STRING', 'INT', 'BOOL', 'ENUM', 'SECRET'] as const
export type ParameterType = (typeof PARAMETER_TYPES)[number]
/** What a new run of a job does while other runs of it are active: see `JobConcurrency`. */
export const CONCURRENCY_POLICIES = ['ALLOW', 'QUEUE', 'SKIP'] as const
export type ConcurrencyPolicy = (typeof CONCURRENCY_POLICIES)[number]

/**
 * A step as the caller wrote it (GraphQL JSON). Every field is re-checked by the domain, so the
 * edge may pass decoded JSON as it is; the canonical form is `JobStep` in definition.ts.
 */
export interface StepInput {
  readonly name?: string | null
  readonly kind: StepKind
  readonly command?: string | null
  readonly script?: string | null
  readonly interpreter?: string | null
  readonly path?: string | null
  readonly content?: string | null
  readonly mode?: string | null
  readonly timeoutSeconds?: number | null
}

export interface ParameterInput {
  readonly name: string
  readonly type: ParameterType
  readonly required?: boolean | null
  readonly default?: string | number | boolean | null
  readonly pattern?: string | null
  readonly choices?: ReadonlyArray<string> | null
}

export interface ConcurrencyInput {
  readonly policy: ConcurrencyPolicy
  readonly max?: number | null
}

export interface DefineJob {
  readonly type: 'DefineJob'
  readonly jobId: string
  readonly name: string
  readonly description?: string | null
  readonly steps: ReadonlyArray<StepInput>
  readonly parameters?: ReadonlyArray<ParameterInput> | null
  /** Omitted: { policy: 'ALLOW', max: 1 }. */
  readonly concurrency?: ConcurrencyInput | null
  readonly at: string
}
/** A full new definition; `name`, `description` and `concurrency` default to the current ones when omitted. */
export interface ReviseJob {
  readonly type: 'ReviseJob'
  readonly jobId: string
  readonly name?: string
  readonly description?: string | null
  readonly steps: ReadonlyArray<StepInput>
  readonly parameters?: ReadonlyArray<ParameterInput> | null
  readonly concurrency?: ConcurrencyInput | null
  readonly at: string
}
export interface ArchiveJob {
  readonly type: 'ArchiveJob'
  readonly jobId: string
  readonly at: string
}

export type JobCommand = DefineJob | ReviseJob | ArchiveJob
