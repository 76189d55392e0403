import type { ExecutionCommand } from './commands.ts'
import { executionDecider } from './decider.ts'

export * from './commands.ts'
export * from './events.ts'
export * from './errors.ts'
export { executionDecider, type ExecutionDecision } from './decider.ts'
export { isTerminal, type Execution, type ExecutionState, type ExecutionStatus, type RunStatus, type TargetRun } from './state.ts'
export { DEFAULT_OPTIONS, MAX_TARGETS, backoffSeconds, normalizeExecutionOptions, stepTimeoutFor, type NormalizedOptions, type OptionsFault } from './options.ts'
export { failedTargets, targetRunOf, targetRunStatus, type TargetRunStatus, type TargetRunView } from './queries.ts'

/** One stream per execution: `ops.evt.execution.<executionId>`. */
export const executions = {
  kind: 'execution',
  streamId: (c: ExecutionCommand) => c.executionId,
  decider: executionDecider,
  startsStream: (c: ExecutionCommand) => c.type === 'RequestExecution'
} as const
