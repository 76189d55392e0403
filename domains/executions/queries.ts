import { absurd } from '../shared/index.ts'
import type { ExecutionTarget } from './commands.ts'
import { runAt, type ExecutionState, type RunStatus } from './state.ts'
import { entries } from './table.ts'

/** API.md TargetRunStatus. */
export type TargetRunStatus = 'PENDING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED' | 'SKIPPED'

/** Dispatched work has not started, so the API shows it as PENDING. */
export const targetRunStatus = (status: RunStatus): TargetRunStatus => {
  switch (status) {
    case 'PENDING':
    case 'DISPATCHED':
      return 'PENDING'
    case 'RUNNING':
    case 'SUCCEEDED':
    case 'FAILED':
    case 'CANCELLED':
    case 'SKIPPED':
      return status
    default:
      return absurd(status)
  }
}

export interface TargetRunView extends ExecutionTarget {
  readonly status: TargetRunStatus
  readonly attempt: number
}

export const targetRunOf = (state: ExecutionState, targetId: string): TargetRunView | undefined => {
  if (state.status === 'absent') return undefined
  const position = state.positions.get(targetId)
  const run = position === undefined ? undefined : runAt(state, position)
  const target = position === undefined ? undefined : state.request.targets[position]
  return run && target ? { ...target, status: targetRunStatus(run.status), attempt: run.attempt } : undefined
}

/**
 * Targets whose run ended FAILED, CANCELLED or SKIPPED, in the order given — what
 * `rerunExecution(id, onlyFailed: true)` runs again as a new execution.
 */
export const failedTargets = (state: ExecutionState): ReadonlyArray<ExecutionTarget> => {
  if (state.status === 'absent') return []
  const targets: ExecutionTarget[] = []
  for (const [position, run] of entries(state.runs)) {
    const target = state.request.targets[position]
    if (target && (run.status === 'FAILED' || run.status === 'CANCELLED' || run.status === 'SKIPPED')) targets.push(target)
  }
  return targets
}
