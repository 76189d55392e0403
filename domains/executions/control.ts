import { accept, firstInvalid, jsonEqual, reject, type Decision } from '../shared/index.ts'
import type { CancelExecution, FailExecution, RequestExecution, StartHeldExecution } from './commands.ts'
import { closeNotStarted, draftOf, emit, finish, settle } from './dispatch.ts'
import { executionAlreadyRequested, type ExecutionRejection } from './errors.ts'
import type { ExecutionEvent, ExecutionRequested } from './events.ts'
import { normalizeExecutionOptions } from './options.ts'
import { isFinished, requested, type Execution, type ExecutionState } from './state.ts'
import { entries } from './table.ts'
import { checkRequest, message } from './validate.ts'

type ControlDecision = Decision<ExecutionEvent, ExecutionRejection>

/**
 * `held` is how the request started, not what it runs: a retry that finds the slot already
 * given (or the execution already released) is the same request.
 */
const sameRequest = (a: ExecutionRequested['data'], b: ExecutionRequested['data']): boolean => {
  const { at: _a, held: _ha, ...left } = a
  const { at: _b, held: _hb, ...right } = b
  return jsonEqual(left, right)
}

/**
 * Requested, and the first targets dispatched in the same decision — unless held, then nothing
 * is dispatched until StartHeldExecution. The same request again is a no-op.
 */
export const requestExecution = (command: RequestExecution, state: ExecutionState): ControlDecision => {
  const fault = firstInvalid(...checkRequest(command))
  if (fault) return reject(fault)
  const options = normalizeExecutionOptions(command.options)
  if (!options.ok) {
    const { ok: _ok, ...rejection } = options
    return reject(rejection)
  }
  const data: ExecutionRequested['data'] = {
    executionId: command.executionId,
    jobId: command.jobId,
    jobVersion: command.jobVersion,
    jobName: command.jobName,
    steps: command.steps,
    parameters: command.parameters,
    targets: command.targets.map(({ targetId, name }) => ({ targetId, name })),
    options: options.options,
    requestedBy: { kind: command.requestedBy.kind, id: command.requestedBy.id, name: command.requestedBy.name },
    held: command.held === true,
    at: command.at
  }
  if (state.status !== 'absent') return sameRequest(state.request, data) ? accept() : reject(executionAlreadyRequested(command.executionId))
  const event: ExecutionEvent = { type: 'ExecutionRequested', data }
  return accept(...settle(draftOf(requested(data), command.at, [event])))
}

/** Lets a held execution go: its first targets are dispatched now. Anything else is a no-op (already released, never held, finished). */
export const startHeldExecution = (command: StartHeldExecution, execution: Execution): ControlDecision => {
  if (!execution.held || isFinished(execution.status)) return accept()
  const draft = draftOf(execution, command.at)
  emit(draft, { type: 'ExecutionReleased', data: { executionId: execution.request.executionId, at: command.at } })
  return accept(...settle(draft))
}

/**
 * Targets not yet started are cancelled at once (for a held execution: every target, so it
 * finishes CANCELLED in the same decision); running ones keep running until their worker
 * reports (it stops the remote process and reports CANCELLED, or whatever the run came to).
 * Cancelling a finished execution, or cancelling twice, changes nothing.
 */
export const cancelExecution = (command: CancelExecution, execution: Execution): ControlDecision => {
  if (isFinished(execution.status) || execution.cancelRequested) return accept()
  const draft = draftOf(execution, command.at)
  const requestedBy = { kind: command.requestedBy.kind, id: command.requestedBy.id, name: command.requestedBy.name }
  emit(draft, { type: 'ExecutionCancelRequested', data: { executionId: execution.request.executionId, requestedBy, at: command.at } })
  closeNotStarted(draft, (base) => ({ type: 'TargetRunCancelled', data: base }))
  return accept(...settle(draft))
}

/**
 * The watchdog gives a lost execution up: running targets fail, the others are skipped, and the
 * execution finishes FAILED with the reason — even when a cancel was pending, since nobody can
 * vouch that anything stopped.
 */
export const failExecution = (command: FailExecution, execution: Execution): ControlDecision => {
  if (isFinished(execution.status)) return accept()
  const reason = message(command.reason) ?? ''
  const draft = draftOf(execution, command.at)
  for (const [position, run] of entries(execution.runs)) {
    if (run.status !== 'RUNNING') continue
    const targetId = execution.request.targets[position]?.targetId ?? ''
    const data = { executionId: execution.request.executionId, targetId, attempt: run.attempt, status: 'FAILED' as const, exitCode: null, reason, at: command.at }
    emit(draft, { type: 'TargetRunFinished', data })
  }
  closeNotStarted(draft, (base) => ({ type: 'TargetRunSkipped', data: { ...base, reason } }))
  finish(draft, 'FAILED', reason)
  return accept(...draft.events)
}
