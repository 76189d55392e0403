import { absurd, type RecordedEvent } from '../../domains/shared/index.ts'
import type { ExecutionEvent } from '../../domains/executions/index.ts'
import type { DocumentProjection } from '../projection.ts'

export interface TargetRunRow extends Record<string, unknown> {
  run_key: string
  execution_id: string
  target_id: string
  target_name: string
  ordinal: number
  /** PENDING, DISPATCHED, RUNNING, SUCCEEDED, FAILED, CANCELLED, SKIPPED (the API shows DISPATCHED as PENDING). */
  status: string
  attempt: number
  exit_code: number | null
  reason: string | null
  worker_id: string | null
  step_index: number | null
  output_bytes: number
  started_at: string | Date | null
  finished_at: string | Date | null
  position: number
}

const asEvent = (e: RecordedEvent) => ({ type: e.type, data: e.data }) as ExecutionEvent
const runKey = (executionId: string, targetId: string) => `${executionId}/${targetId}`

// An execution may list 10,000 targets: index them once per event, not once per row.
const ordinals = new WeakMap<object, Map<string, number>>()
const ordinalOf = (targets: ReadonlyArray<{ targetId: string }>, targetId: string): number => {
  let index = ordinals.get(targets)
  if (!index) {
    index = new Map(targets.map((t, i) => [t.targetId, i]))
    ordinals.set(targets, index)
  }
  return index.get(targetId) ?? -1
}

const TYPES: ReadonlyArray<ExecutionEvent['type']> = [
  'ExecutionRequested', 'TargetRunDispatched', 'TargetRunStarted', 'StepStarted', 'StepFinished', 'TargetRunFinished',
  'TargetRunInterrupted', 'TargetRunRetryScheduled', 'TargetRunCancelled', 'TargetRunSkipped'
]

/** Per-target status grid of an execution, and a target's recent runs. */
export const targetRunsProjection: DocumentProjection<TargetRunRow> = {
  table: 'target_runs',
  key: 'run_key',
  keyType: 'text',
  columns: ['run_key', 'execution_id', 'target_id', 'target_name', 'ordinal', 'status', 'attempt', 'exit_code', 'reason', 'worker_id', 'step_index', 'output_bytes', 'started_at', 'finished_at', 'position'],
  canHandle: new Set(TYPES),
  createdBy: new Set(['ExecutionRequested']),
  keysOf: (e) => {
    const d = e.data as { executionId: string; targetId?: string; targets?: ReadonlyArray<{ targetId: string }> }
    if (e.type === 'ExecutionRequested') return (d.targets ?? []).map((t) => runKey(d.executionId, t.targetId))
    return d.targetId ? [runKey(d.executionId, d.targetId)] : []
  },
  evolve: (row, recorded, key) => {
    const event = asEvent(recorded)
    const at = recorded.meta.occurredAt
    if (event.type === 'ExecutionRequested') {
      const d = event.data
      const ordinal = ordinalOf(d.targets, key.slice(d.executionId.length + 1))
      const target = d.targets[ordinal]
      if (!target) return row
      return {
        run_key: key, execution_id: d.executionId, target_id: target.targetId, target_name: target.name, ordinal, status: 'PENDING', attempt: 1,
        exit_code: null, reason: null, worker_id: null, step_index: null, output_bytes: 0, started_at: null, finished_at: null, position: recorded.position
      }
    }
    if (!row) return null
    const next = { ...row, position: recorded.position }
    switch (event.type) {
      case 'TargetRunDispatched':
        return { ...next, status: 'DISPATCHED', attempt: event.data.attempt }
      case 'TargetRunStarted':
        return { ...next, status: 'RUNNING', attempt: event.data.attempt, worker_id: event.data.workerId, started_at: at, finished_at: null, exit_code: null, reason: null, output_bytes: 0 }
      case 'StepStarted':
        return { ...next, step_index: event.data.stepIndex }
      case 'StepFinished':
        return { ...next, exit_code: event.data.exitCode, output_bytes: Number(next.output_bytes) + event.data.outputBytes, reason: event.data.error ?? next.reason }
      case 'TargetRunFinished':
        return { ...next, status: event.data.status, exit_code: event.data.exitCode ?? next.exit_code, reason: event.data.reason, finished_at: at }
      case 'TargetRunInterrupted':
        return { ...next, reason: event.data.reason }
      case 'TargetRunRetryScheduled':
        return { ...next, status: 'PENDING', attempt: event.data.attempt }
      case 'TargetRunCancelled':
        return { ...next, status: 'CANCELLED', finished_at: at }
      case 'TargetRunSkipped':
        return { ...next, status: 'SKIPPED', reason: event.data.reason, finished_at: at }
      case 'ExecutionStarted':
      case 'ExecutionReleased':
      case 'FailurePolicyTriggered':
      case 'ExecutionCancelRequested':
      case 'ExecutionFinished':
        return next
      default:
        return absurd(event)
    }
  }
}
