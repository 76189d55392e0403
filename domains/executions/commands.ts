import type { Actor } from '../shared/index.ts'
import type { JobStep } from '../jobs/index.ts'

/**
 * A SECRET parameter value after the edge sealed it (AES-256-GCM). The domain carries it as it
 * is and never sees plain text; only a worker holding the key store can open it.
 */
export interface SealedValue {
  readonly sealed: true
  readonly keyId: string
  readonly iv: string
  readonly ciphertext: string
  readonly authTag: string
  readonly algorithm?: 'aes-256-gcm'
}

export type ExecutionParameterValue = string | number | boolean | SealedValue

/** Who asked for a run or a cancel; the envelope's actor without HTTP details. */
export type Requester = Pick<Actor, 'kind' | 'id' | 'name'>

export interface ExecutionTarget {
  readonly targetId: string
  readonly name: string
}

export const FAILURE_POLICIES = ['CONTINUE', 'STOP'] as const
export type FailurePolicy = (typeof FAILURE_POLICIES)[number]

/** Rolling batches: the next batch starts once every target of the previous one is done. */
export type BatchSize = { readonly count: number } | { readonly percent: number }

/** Canonical options, as stored in `ExecutionRequested`: every field present. */
export interface ExecutionOptions {
  readonly parallelism: number
  readonly batchSize: BatchSize | null
  readonly failurePolicy: FailurePolicy
  /** Behave as STOP once failed / (succeeded + failed) exceeds this share; null = never. */
  readonly maxFailedPercent: number | null
  /** Extra attempts per target after a failed one. */
  readonly retries: number
  /** Attempt k (k ≥ 2) waits base · 2^(k−2) seconds, at most one hour. */
  readonly retryBackoffSeconds: number
  /** For steps without their own timeout; null = the worker's default. */
  readonly stepTimeoutSeconds: number | null
}

/** What a caller may send: any field may be left out and takes its default. */
export type ExecutionOptionsInput = { readonly [K in keyof ExecutionOptions]?: ExecutionOptions[K] | null }

export interface RequestExecution {
  readonly type: 'RequestExecution'
  readonly executionId: string
  readonly jobId: string
  readonly jobVersion: number
  readonly jobName: string
  /** The job version's canonical steps; parameters are substituted by the worker, not here. */
  readonly steps: ReadonlyArray<JobStep>
  readonly parameters: Readonly<Record<string, ExecutionParameterValue>>
  readonly targets: ReadonlyArray<ExecutionTarget>
  readonly options?: ExecutionOptionsInput | null
  readonly requestedBy: Requester
  /**
   * Requested but held: nothing is dispatched until StartHeldExecution (the job's concurrency
   * policy queued it behind other runs). False when omitted.
   */
  readonly held?: boolean | null
  readonly at: string
}

/** A held execution may start now: its first targets are dispatched. */
export interface StartHeldExecution {
  readonly type: 'StartHeldExecution'
  readonly executionId: string
  readonly at: string
}

/** Reports from the worker running one attempt on one target. */
interface AttemptReport {
  readonly executionId: string
  readonly targetId: string
  readonly attempt: number
  readonly at: string
}

export interface StartTargetRun extends AttemptReport {
  readonly type: 'StartTargetRun'
  readonly workerId: string
}
export interface RecordStepStarted extends AttemptReport {
  readonly type: 'RecordStepStarted'
  readonly stepIndex: number
}
export interface RecordStepFinished extends AttemptReport, StepOutcome {
  readonly type: 'RecordStepFinished'
}
export const RUN_OUTCOMES = ['SUCCEEDED', 'FAILED', 'CANCELLED'] as const
export type RunOutcome = (typeof RUN_OUTCOMES)[number]
/** What a worker reports about a step once it ended. */
export interface StepOutcome {
  readonly stepIndex: number
  readonly exitCode: number | null
  readonly durationMs: number
  readonly outputBytes: number
  readonly timedOut: boolean
  readonly error: string | null
}

export interface FinishTargetRun extends AttemptReport {
  readonly type: 'FinishTargetRun'
  /**
   * The step that ended the run, reported in the same command (one append instead of two on a
   * busy execution stream): decided exactly as a RecordStepFinished followed by this finish.
   */
  readonly lastStep?: StepOutcome | null
  /** CANCELLED: the worker stopped the remote process after a cancel request. */
  readonly outcome: RunOutcome
  readonly exitCode: number | null
  readonly reason: string | null
}
/** The attempt was lost (its worker died and the work was redelivered, or the watchdog saw it stall). */
export interface InterruptTargetRun extends AttemptReport {
  readonly type: 'InterruptTargetRun'
  readonly reason: string
}

export interface CancelExecution {
  readonly type: 'CancelExecution'
  readonly executionId: string
  readonly requestedBy: Requester
  readonly at: string
}
/** The watchdog gave the execution up as lost. */
export interface FailExecution {
  readonly type: 'FailExecution'
  readonly executionId: string
  readonly reason: string
  readonly at: string
}

export type ExecutionCommand =
  | RequestExecution
  | StartHeldExecution
  | StartTargetRun
  | RecordStepStarted
  | RecordStepFinished
  | FinishTargetRun
  | InterruptTargetRun
  | CancelExecution
  | FailExecution
