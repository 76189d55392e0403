import type { InvalidInput, Rejection } from '../shared/index.ts'

export interface ExecutionNotFound extends Rejection<'ExecutionNotFound'> {}
export const executionNotFound = (executionId: string): ExecutionNotFound => ({
  _tag: 'ExecutionNotFound',
  category: 'missing',
  message: `execution ${executionId} does not exist`
})

/** The id is taken by a request with other data; an identical request is simply a no-op. */
export interface ExecutionAlreadyRequested extends Rejection<'ExecutionAlreadyRequested'> {}
export const executionAlreadyRequested = (executionId: string): ExecutionAlreadyRequested => ({
  _tag: 'ExecutionAlreadyRequested',
  category: 'conflict',
  message: `execution ${executionId} was already requested with other data`
})

export interface TargetNotInExecution extends Rejection<'TargetNotInExecution'> {}
export const targetNotInExecution = (executionId: string, targetId: string): TargetNotInExecution => ({
  _tag: 'TargetNotInExecution',
  category: 'missing',
  field: 'targetId',
  message: `targetId: target ${targetId} is not part of execution ${executionId}`
})

/**
 * The reported attempt no longer counts — superseded by a retry, interrupted, cancelled, skipped,
 * finished, failed by the watchdog, or never dispatched. A worker that gets this stops the
 * attempt and acknowledges its work: nothing it reports can change the execution any more.
 */
export interface StaleAttempt extends Rejection<'StaleAttempt'> {}
export const staleAttempt = (targetId: string, attempt: number, why: string): StaleAttempt => ({
  _tag: 'StaleAttempt',
  category: 'conflict',
  field: 'attempt',
  message: `attempt: attempt ${attempt} on target ${targetId} ${why}`
})

/** Another worker started this very attempt (the work was delivered twice). */
export interface AttemptAlreadyStarted extends Rejection<'AttemptAlreadyStarted'> {}
export const attemptAlreadyStarted = (targetId: string, attempt: number, workerId: string): AttemptAlreadyStarted => ({
  _tag: 'AttemptAlreadyStarted',
  category: 'conflict',
  message: `attempt ${attempt} on target ${targetId} was already started by worker ${workerId}`
})

/** Steps and outcomes are reported only after StartTargetRun recorded the start. */
export interface AttemptNotStarted extends Rejection<'AttemptNotStarted'> {}
export const attemptNotStarted = (targetId: string, attempt: number): AttemptNotStarted => ({
  _tag: 'AttemptNotStarted',
  category: 'conflict',
  message: `attempt ${attempt} on target ${targetId} has not been started; report StartTargetRun first`
})

/** Steps run one after the other: step i starts after step i−1 finished, and finishes after it started. */
export interface StepOutOfOrder extends Rejection<'StepOutOfOrder'> {}
export const stepOutOfOrder = (stepIndex: number, message: string): StepOutOfOrder => ({
  _tag: 'StepOutOfOrder',
  category: 'conflict',
  field: 'stepIndex',
  message: `stepIndex: step ${stepIndex} ${message}`
})

export type ExecutionRejection =
  | InvalidInput
  | ExecutionNotFound
  | ExecutionAlreadyRequested
  | TargetNotInExecution
  | StaleAttempt
  | AttemptAlreadyStarted
  | AttemptNotStarted
  | StepOutOfOrder
