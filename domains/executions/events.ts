import type { DomainEvent } from '../shared/index.ts'
import type { JobStep } from '../jobs/index.ts'
import type { ExecutionOptions, ExecutionParameterValue, ExecutionTarget, Requester } from './commands.ts'

/**
 * Every event names its execution and carries `at`, the command's time: projections show when
 * each target started and finished without reading envelopes. No event holds a secret in plain
 * text; SECRET parameters stay sealed.
 */
interface Timed {
  executionId: string
  at: string
}
interface OfAttempt extends Timed {
  targetId: string
  attempt: number
}

export type ExecutionRequested = DomainEvent<
  'ExecutionRequested',
  Timed & {
    jobId: string
    jobVersion: number
    jobName: string
    steps: ReadonlyArray<JobStep>
    parameters: Readonly<Record<string, ExecutionParameterValue>>
    /** In the order given; the order targets are dispatched in. */
    targets: ReadonlyArray<ExecutionTarget>
    options: ExecutionOptions
    requestedBy: Requester
    /** Held: nothing is dispatched until ExecutionReleased. Missing in events from before holding existed (= false). */
    held?: boolean
  }
>
/** A held execution was let go: its targets are dispatched from now on. */
export type ExecutionReleased = DomainEvent<'ExecutionReleased', Timed>
/** Work for one attempt; `workId` (`<executionId>:<targetId>:<attempt>`) dedupes it downstream. */
export type TargetRunDispatched = DomainEvent<'TargetRunDispatched', OfAttempt & { notBefore: string | null; workId: string }>
export type ExecutionStarted = DomainEvent<'ExecutionStarted', Timed>
export type TargetRunStarted = DomainEvent<'TargetRunStarted', OfAttempt & { workerId: string }>
export type StepStarted = DomainEvent<'StepStarted', OfAttempt & { stepIndex: number }>
export type StepFinished = DomainEvent<
  'StepFinished',
  OfAttempt & { stepIndex: number; exitCode: number | null; durationMs: number; outputBytes: number; timedOut: boolean; error: string | null }
>
export type TargetRunFinished = DomainEvent<
  'TargetRunFinished',
  OfAttempt & { status: 'SUCCEEDED' | 'FAILED' | 'CANCELLED'; exitCode: number | null; reason: string | null }
>
export type TargetRunInterrupted = DomainEvent<'TargetRunInterrupted', OfAttempt & { reason: string }>
/** The target goes back to PENDING; `attempt` is the next attempt, due at `notBefore`. */
export type TargetRunRetryScheduled = DomainEvent<'TargetRunRetryScheduled', OfAttempt & { notBefore: string | null }>
export type TargetRunCancelled = DomainEvent<'TargetRunCancelled', OfAttempt>
export type TargetRunSkipped = DomainEvent<'TargetRunSkipped', OfAttempt & { reason: string }>
/** No more targets or retries are dispatched; targets not yet started are skipped. */
export type FailurePolicyTriggered = DomainEvent<
  'FailurePolicyTriggered',
  Timed & { policy: 'STOP' | 'MAX_FAILED_PERCENT'; targetId: string; failed: number; succeeded: number; reason: string }
>
export type ExecutionCancelRequested = DomainEvent<'ExecutionCancelRequested', Timed & { requestedBy: Requester }>

export interface ExecutionSummary {
  total: number
  succeeded: number
  failed: number
  cancelled: number
  skipped: number
  /** From the first target start to the finish; 0 when no target ever started. */
  durationMs: number
}
export type ExecutionFinished = DomainEvent<
  'ExecutionFinished',
  Timed & { status: 'SUCCEEDED' | 'FAILED' | 'CANCELLED'; reason: string | null; summary: ExecutionSummary }
>

export type ExecutionEvent =
  | ExecutionRequested
  | ExecutionReleased
  | TargetRunDispatched
  | ExecutionStarted
  | TargetRunStarted
  | StepStarted
  | StepFinished
  | TargetRunFinished
  | TargetRunInterrupted
  | TargetRunRetryScheduled
  | TargetRunCancelled
  | TargetRunSkipped
  | FailurePolicyTriggered
  | ExecutionCancelRequested
  | ExecutionFinished
