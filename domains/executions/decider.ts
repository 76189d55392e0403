import { absurd, accept, firstInvalid, reject, type Check, type Decider, type Decision } from '../shared/index.ts'
import type { ExecutionCommand, FinishTargetRun } from './commands.ts'
import { cancelExecution, failExecution, requestExecution, startHeldExecution } from './control.ts'
import { executionNotFound, type ExecutionRejection } from './errors.ts'
import type { ExecutionEvent } from './events.ts'
import { finishTargetRun, interruptTargetRun, recordStepFinished, recordStepStarted, startTargetRun } from './reports.ts'
import { evolve, initialState, isTerminal, type Execution, type ExecutionState } from './state.ts'
import { checkAt, checkExecutionId, checkMessage, checkRequester } from './validate.ts'

export { evolve, initialState, isTerminal, type ExecutionState } from './state.ts'

export type ExecutionDecision = Decision<ExecutionEvent, ExecutionRejection>

/** Every command but RequestExecution acts on a requested execution. */
const onExecution = (
  command: { readonly executionId: string; readonly at: string },
  state: ExecutionState,
  checks: ReadonlyArray<Check>,
  then: (execution: Execution) => ExecutionDecision
): ExecutionDecision => {
  const fault = firstInvalid(checkExecutionId(command.executionId), checkAt(command.at), ...checks)
  if (fault) return reject(fault)
  return state.status === 'absent' ? reject(executionNotFound(command.executionId)) : then(state)
}

export const decide = (command: ExecutionCommand, state: ExecutionState): ExecutionDecision => {
  switch (command.type) {
    case 'RequestExecution':
      return requestExecution(command, state)
    case 'StartHeldExecution':
      return onExecution(command, state, [], (execution) => startHeldExecution(command, execution))
    case 'StartTargetRun':
      return onExecution(command, state, [], (execution) => startTargetRun(command, execution))
    case 'RecordStepStarted':
      return onExecution(command, state, [], (execution) => recordStepStarted(command, execution))
    case 'RecordStepFinished':
      return onExecution(command, state, [], (execution) => recordStepFinished(command, execution))
    case 'FinishTargetRun':
      return command.lastStep ? finishWithLastStep(command, state) : onExecution(command, state, [], (execution) => finishTargetRun(command, execution))
    case 'InterruptTargetRun':
      return onExecution(command, state, [], (execution) => interruptTargetRun(command, execution))
    case 'CancelExecution':
      return onExecution(command, state, [checkRequester('requestedBy', command.requestedBy)], (execution) => cancelExecution(command, execution))
    case 'FailExecution':
      return onExecution(command, state, [checkMessage('reason', command.reason, true)], (execution) => failExecution(command, execution))
    default:
      return absurd(command)
  }
}

/** A finish that carries its last step: the step's decision, then the finish's, on the state in between. */
const finishWithLastStep = (command: FinishTargetRun, state: ExecutionState): ExecutionDecision => {
  const { lastStep, ...finish } = command
  if (!lastStep) return decide(finish, state)
  // The same report again, after it was applied: the finish alone says so.
  const repeat = decide(finish, state)
  if (repeat.ok && repeat.events.length === 0) return repeat
  const step = decide({ type: 'RecordStepFinished', executionId: command.executionId, targetId: command.targetId, attempt: command.attempt, at: command.at, ...lastStep }, state)
  if (!step.ok) return step
  const done = decide(finish, step.events.reduce(evolve, state))
  return done.ok ? accept(...step.events, ...done.events) : done
}

export const executionDecider: Decider<ExecutionCommand, ExecutionEvent, ExecutionState, ExecutionRejection> = {
  initialState,
  evolve,
  decide,
  isTerminal
}
