import { absurd, type RecordedEvent } from '../../domains/shared/index.ts'
import type { ExecutionEvent } from '../../domains/executions/index.ts'
import type { DocumentProjection } from '../projection.ts'

export interface ExecutionRow extends Record<string, unknown> {
  id: string
  job_id: string
  job_version: number
  job_name: string
  status: string
  requested_by: unknown
  options: unknown
  target_count: number
  succeeded: number
  failed: number
  cancelled: number
  skipped: number
  cancel_requested: boolean
  reason: string | null
  created_at: string | Date
  started_at: string | Date | null
  finished_at: string | Date | null
  position: number
}

const asEvent = (e: RecordedEvent) => ({ type: e.type, data: e.data }) as ExecutionEvent

const TYPES: ReadonlyArray<ExecutionEvent['type']> = [
  'ExecutionRequested', 'ExecutionStarted', 'TargetRunFinished', 'TargetRunCancelled', 'TargetRunSkipped', 'ExecutionCancelRequested', 'ExecutionFinished'
]

/** One row per execution with running counts: lists, filters, dashboards. */
export const executionsProjection: DocumentProjection<ExecutionRow> = {
  table: 'executions',
  key: 'id',
  keyType: 'uuid',
  columns: ['id', 'job_id', 'job_version', 'job_name', 'status', 'requested_by', 'options', 'target_count', 'succeeded', 'failed', 'cancelled', 'skipped', 'cancel_requested', 'reason', 'created_at', 'started_at', 'finished_at', 'position'],
  canHandle: new Set(TYPES),
  createdBy: new Set(['ExecutionRequested']),
  keysOf: (e) => [(e.data as { executionId: string }).executionId],
  evolve: (row, recorded) => {
    const event = asEvent(recorded)
    const at = recorded.meta.occurredAt
    if (event.type === 'ExecutionRequested') {
      const d = event.data
      return {
        id: d.executionId, job_id: d.jobId, job_version: d.jobVersion, job_name: d.jobName, status: 'QUEUED', requested_by: d.requestedBy, options: d.options,
        target_count: d.targets.length, succeeded: 0, failed: 0, cancelled: 0, skipped: 0, cancel_requested: false, reason: null,
        created_at: at, started_at: null, finished_at: null, position: recorded.position
      }
    }
    if (!row) return null
    const next = { ...row, position: recorded.position }
    switch (event.type) {
      case 'ExecutionStarted':
        return { ...next, status: next.status === 'QUEUED' ? 'RUNNING' : next.status, started_at: next.started_at ?? at }
      case 'TargetRunFinished':
        if (event.data.status === 'SUCCEEDED') return { ...next, succeeded: next.succeeded + 1 }
        if (event.data.status === 'FAILED') return { ...next, failed: next.failed + 1 }
        return { ...next, cancelled: next.cancelled + 1 }
      case 'TargetRunCancelled':
        return { ...next, cancelled: next.cancelled + 1 }
      case 'TargetRunSkipped':
        return { ...next, skipped: next.skipped + 1 }
      case 'ExecutionCancelRequested':
        return { ...next, cancel_requested: true }
      case 'ExecutionFinished': {
        const s = event.data.summary
        return { ...next, status: event.data.status, reason: event.data.reason, finished_at: at, succeeded: s.succeeded, failed: s.failed, cancelled: s.cancelled, skipped: s.skipped }
      }
      case 'ExecutionReleased':
      case 'TargetRunDispatched':
      case 'TargetRunStarted':
      case 'StepStarted':
      case 'StepFinished':
      case 'TargetRunInterrupted':
      case 'TargetRunRetryScheduled':
      case 'FailurePolicyTriggered':
        return next
      default:
        return absurd(event)
    }
  }
}
