import { accept, firstInvalid, integer, oneOf, reject, text, type Check, type Decision } from '../shared/index.ts'
import { RUN_OUTCOMES, type FinishTargetRun, type InterruptTargetRun, type RecordStepFinished, type RecordStepStarted, type StartTargetRun } from './commands.ts'
import { applyFailurePolicy, canRetry, draftOf, emit, scheduleRetry, settle } from './dispatch.ts'
import { attemptAlreadyStarted, attemptNotStarted, staleAttempt, stepOutOfOrder, targetNotInExecution, type ExecutionRejection } from './errors.ts'
import type { ExecutionEvent } from './events.ts'
import { runAt, type Execution, type TargetRun } from './state.ts'
import { checkAttempt, checkCount, checkExitCode, checkFlag, checkMessage, message } from './validate.ts'

/**
 * Worker reports, each about one attempt on one target. The rules, in order:
 * 1. a report that repeats what is already recorded produces no events (workers re-send);
 * 2. a report about the target's live attempt is applied;
 * 3. anything else is about an attempt that no longer counts → StaleAttempt. This includes every
 *    new fact reported after the execution finished, since every target run is closed by then.
 */
type ReportDecision = Decision<ExecutionEvent, ExecutionRejection>

interface Report {
  readonly executionId: string
  readonly targetId: string
  readonly attempt: number
}

const runOf = (execution: Execution, report: Report): TargetRun | ExecutionRejection => {
  const position = execution.positions.get(report.targetId)
  const run = position === undefined ? undefined : runAt(execution, position)
  return run ?? targetNotInExecution(report.executionId, report.targetId)
}

const isRejection = (value: TargetRun | ExecutionRejection): value is ExecutionRejection => '_tag' in value

const stale = (run: TargetRun, report: Report): ExecutionRejection => {
  const why =
    report.attempt < run.attempt
      ? `was superseded by attempt ${run.attempt}`
      : report.attempt > run.attempt
        ? 'was never dispatched'
        : run.status === 'PENDING'
          ? 'has not been dispatched yet'
          : `is over: the target run is ${run.status}`
  return staleAttempt(report.targetId, report.attempt, why)
}

/** The attempt a worker may report steps and outcomes for: current and started. */
const started = (run: TargetRun, report: Report): ExecutionRejection | undefined => {
  if (run.attempt === report.attempt && run.status === 'RUNNING') return undefined
  if (run.attempt === report.attempt && run.status === 'DISPATCHED') return attemptNotStarted(report.targetId, report.attempt)
  return stale(run, report)
}

const onRun = (execution: Execution, report: Report, checks: ReadonlyArray<Check>, then: (run: TargetRun) => ReportDecision): ReportDecision => {
  const fault = firstInvalid(checkAttempt(report.attempt), text('targetId', report.targetId, { max: 128 }), ...checks)
  if (fault) return reject(fault)
  const run = runOf(execution, report)
  return isRejection(run) ? reject(run) : then(run)
}

const base = (execution: Execution, report: Report & { at: string }) => ({
  executionId: execution.request.executionId,
  targetId: report.targetId,
  attempt: report.attempt,
  at: report.at
})

export const startTargetRun = (command: StartTargetRun, execution: Execution): ReportDecision =>
  onRun(execution, command, [text('workerId', command.workerId, { max: 128 })], (run) => {
    if (run.attempt === command.attempt && run.status === 'RUNNING')
      return run.workerId === command.workerId ? accept() : reject(attemptAlreadyStarted(command.targetId, command.attempt, run.workerId ?? 'unknown'))
    if (run.attempt !== command.attempt || run.status !== 'DISPATCHED') return reject(stale(run, command))
    const targetRunStarted: ExecutionEvent = { type: 'TargetRunStarted', data: { ...base(execution, command), workerId: command.workerId } }
    if (execution.status !== 'QUEUED') return accept(targetRunStarted)
    return accept<ExecutionEvent>({ type: 'ExecutionStarted', data: { executionId: execution.request.executionId, at: command.at } }, targetRunStarted)
  })

const checkStepIndex = (execution: Execution, value: unknown): Check => integer('stepIndex', value, 0, execution.request.steps.length - 1)

export const recordStepStarted = (command: RecordStepStarted, execution: Execution): ReportDecision =>
  onRun(execution, command, [checkStepIndex(execution, command.stepIndex)], (run) => {
    const notLive = started(run, command)
    if (notLive) return reject(notLive)
    const { stepIndex } = command
    if (stepIndex < run.stepsStarted) return accept()
    if (stepIndex > run.stepsStarted) return reject(stepOutOfOrder(stepIndex, `cannot start before step ${run.stepsStarted}`))
    if (run.stepsFinished < run.stepsStarted) return reject(stepOutOfOrder(stepIndex, `cannot start while step ${run.stepsStarted - 1} is still running`))
    return accept({ type: 'StepStarted', data: { ...base(execution, command), stepIndex } })
  })

export const recordStepFinished = (command: RecordStepFinished, execution: Execution): ReportDecision =>
  onRun(
    execution,
    command,
    [
      checkStepIndex(execution, command.stepIndex),
      checkExitCode(command.exitCode),
      checkCount('durationMs', command.durationMs),
      checkCount('outputBytes', command.outputBytes),
      checkFlag('timedOut', command.timedOut),
      checkMessage('error', command.error, false)
    ],
    (run) => {
      const notLive = started(run, command)
      if (notLive) return reject(notLive)
      const { stepIndex, exitCode, durationMs, outputBytes, timedOut } = command
      if (stepIndex < run.stepsFinished) return accept()
      if (stepIndex !== run.stepsStarted - 1) return reject(stepOutOfOrder(stepIndex, 'has not started'))
      const data = { ...base(execution, command), stepIndex, exitCode, durationMs, outputBytes, timedOut, error: message(command.error) }
      return accept({ type: 'StepFinished', data })
    }
  )

export const finishTargetRun = (command: FinishTargetRun, execution: Execution): ReportDecision =>
  onRun(
    execution,
    command,
    [oneOf('outcome', command.outcome, RUN_OUTCOMES), checkExitCode(command.exitCode), checkMessage('reason', command.reason, false)],
    (run) => {
      const reason = message(command.reason)
      const end = run.lastEnd
      const repeated =
        end?.attempt === command.attempt && end.by === 'report' && end.status === command.outcome && end.exitCode === command.exitCode && end.reason === reason
      if (repeated) return accept()
      const notLive = started(run, command)
      if (notLive) return reject(notLive)
      const draft = draftOf(execution, command.at)
      emit(draft, { type: 'TargetRunFinished', data: { ...base(execution, command), status: command.outcome, exitCode: command.exitCode, reason } })
      if (command.outcome === 'FAILED') {
        if (canRetry(draft.execution, command.attempt)) scheduleRetry(draft, command.targetId, command.attempt)
        else applyFailurePolicy(draft, command.targetId)
      }
      return accept(...settle(draft))
    }
  )

/** A lost attempt (dead worker, stalled run, work never picked up) is retried like a failure, or fails the target. */
export const interruptTargetRun = (command: InterruptTargetRun, execution: Execution): ReportDecision =>
  onRun(execution, command, [checkMessage('reason', command.reason, true)], (run) => {
    const reason = message(command.reason) ?? ''
    const end = run.lastEnd
    if (end?.attempt === command.attempt && end.by === 'interruption' && end.reason === reason) return accept()
    const live = run.attempt === command.attempt && (run.status === 'RUNNING' || run.status === 'DISPATCHED')
    if (!live) return reject(stale(run, command))
    const draft = draftOf(execution, command.at)
    emit(draft, { type: 'TargetRunInterrupted', data: { ...base(execution, command), reason } })
    if (canRetry(draft.execution, command.attempt)) scheduleRetry(draft, command.targetId, command.attempt)
    else {
      emit(draft, { type: 'TargetRunFinished', data: { ...base(execution, command), status: 'FAILED', exitCode: null, reason } })
      applyFailurePolicy(draft, command.targetId)
    }
    return accept(...settle(draft))
  })
