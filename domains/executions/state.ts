import { absurd } from '../shared/index.ts'
import type { ExecutionEvent, ExecutionRequested, TargetRunFinished } from './events.ts'
import { entryAt, tableOf, withEntry, type Table } from './table.ts'

/** API.md ExecutionStatus. */
export type ExecutionStatus = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED'
/**
 * A target run's phase. DISPATCHED (work handed out, not yet started) shows as PENDING in the
 * API; the domain keeps it apart because it counts against parallelism.
 */
export type RunStatus = 'PENDING' | 'DISPATCHED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED' | 'SKIPPED'

/** How an attempt ended, kept so a re-sent report can be told from a stale one. */
export interface AttemptEnd {
  readonly attempt: number
  readonly by: 'report' | 'interruption'
  readonly status: TargetRunFinished['data']['status']
  readonly exitCode: number | null
  readonly reason: string | null
}

export interface TargetRun {
  readonly status: RunStatus
  /** 1-based; the attempt pending, dispatched or running, or the last one once closed. */
  readonly attempt: number
  readonly notBefore: string | null
  readonly workerId: string | null
  /** Steps run one after another, so two counters say which step reports are new. */
  readonly stepsStarted: number
  readonly stepsFinished: number
  readonly lastEnd: AttemptEnd | null
}

export interface Execution {
  readonly status: ExecutionStatus
  readonly request: ExecutionRequested['data']
  /** targetId → position in `request.targets` (and in `runs`); built once. */
  readonly positions: ReadonlyMap<string, number>
  readonly runs: Table<TargetRun>
  /** Targets per run status, so no command has to scan all targets to decide. */
  readonly counts: Readonly<Record<RunStatus, number>>
  /** Position of the first target never dispatched: fresh targets go out in the given order. */
  readonly cursor: number
  /** Positions of PENDING targets waiting to be dispatched again (their earlier attempt failed). */
  readonly retrying: ReadonlyArray<number>
  readonly cancelRequested: boolean
  /** Requested held: nothing is dispatched until it is released. */
  readonly held: boolean
  /** Set once the failure policy stopped the execution; never cleared. */
  readonly halted: { readonly reason: string } | null
  readonly startedAt: string | null
  readonly finishedAt: string | null
}

export type ExecutionState = { readonly status: 'absent' } | Execution

export const initialState: ExecutionState = { status: 'absent' }

const NO_RUNS: Record<RunStatus, number> = { PENDING: 0, DISPATCHED: 0, RUNNING: 0, SUCCEEDED: 0, FAILED: 0, CANCELLED: 0, SKIPPED: 0 }
const FRESH_RUN: TargetRun = { status: 'PENDING', attempt: 1, notBefore: null, workerId: null, stepsStarted: 0, stepsFinished: 0, lastEnd: null }

export const requested = (data: ExecutionRequested['data']): Execution => ({
  status: 'QUEUED',
  request: data,
  positions: new Map(data.targets.map((target, index) => [target.targetId, index])),
  runs: tableOf(data.targets.map(() => FRESH_RUN)),
  counts: { ...NO_RUNS, PENDING: data.targets.length },
  cursor: 0,
  retrying: [],
  cancelRequested: false,
  held: data.held === true,
  halted: null,
  startedAt: null,
  finishedAt: null
})

export const runAt = (execution: Execution, position: number): TargetRun | undefined => entryAt(execution.runs, position)

/** Replaces one run and keeps the status counters in step. Unknown targets leave state alone. */
const updateRun = (execution: Execution, targetId: string, change: (run: TargetRun, position: number) => Partial<TargetRun>): Execution => {
  const position = execution.positions.get(targetId)
  const run = position === undefined ? undefined : runAt(execution, position)
  if (position === undefined || run === undefined) return execution
  const next: TargetRun = { ...run, ...change(run, position) }
  if (next.status === run.status) return { ...execution, runs: withEntry(execution.runs, position, next) }
  const counts = { ...execution.counts, [run.status]: execution.counts[run.status] - 1, [next.status]: execution.counts[next.status] + 1 }
  // A target leaving PENDING (dispatched, cancelled, skipped) no longer waits for a retry.
  const retrying = run.status === 'PENDING' && execution.retrying.includes(position) ? execution.retrying.filter((waiting) => waiting !== position) : execution.retrying
  return { ...execution, runs: withEntry(execution.runs, position, next), counts, retrying }
}

const ended = (run: TargetRun, data: TargetRunFinished['data']): AttemptEnd =>
  // An interruption that used up the last attempt ends in TargetRunFinished; it stays an interruption.
  run.lastEnd?.attempt === data.attempt && run.lastEnd.by === 'interruption'
    ? run.lastEnd
    : { attempt: data.attempt, by: 'report', status: data.status, exitCode: data.exitCode, reason: data.reason }

export const evolveExecution = (execution: Execution, event: ExecutionEvent): Execution => {
  switch (event.type) {
    case 'ExecutionRequested':
      return execution
    case 'ExecutionReleased':
      return { ...execution, held: false }
    case 'TargetRunDispatched': {
      const { targetId, attempt, notBefore } = event.data
      const position = execution.positions.get(targetId)
      const next = updateRun(execution, targetId, () => ({ status: 'DISPATCHED', attempt, notBefore, workerId: null, stepsStarted: 0, stepsFinished: 0 }))
      if (position === undefined) return next
      return { ...next, cursor: Math.max(next.cursor, position + 1) }
    }
    case 'ExecutionStarted':
      return { ...execution, status: 'RUNNING', startedAt: event.data.at }
    case 'TargetRunStarted':
      return updateRun(execution, event.data.targetId, () => ({ status: 'RUNNING', workerId: event.data.workerId }))
    case 'StepStarted':
      return updateRun(execution, event.data.targetId, (run) => ({ stepsStarted: Math.max(run.stepsStarted, event.data.stepIndex + 1) }))
    case 'StepFinished':
      return updateRun(execution, event.data.targetId, (run) => ({ stepsFinished: Math.max(run.stepsFinished, event.data.stepIndex + 1) }))
    case 'TargetRunFinished':
      return updateRun(execution, event.data.targetId, (run) => ({ status: event.data.status, lastEnd: ended(run, event.data) }))
    case 'TargetRunInterrupted': {
      const { attempt, reason } = event.data
      return updateRun(execution, event.data.targetId, () => ({ lastEnd: { attempt, by: 'interruption', status: 'FAILED', exitCode: null, reason } }))
    }
    case 'TargetRunRetryScheduled': {
      const { targetId, attempt, notBefore } = event.data
      const position = execution.positions.get(targetId)
      const next = updateRun(execution, targetId, () => ({ status: 'PENDING', attempt, notBefore, workerId: null, stepsStarted: 0, stepsFinished: 0 }))
      return position === undefined || next.retrying.includes(position) ? next : { ...next, retrying: [...next.retrying, position] }
    }
    case 'TargetRunCancelled':
      return updateRun(execution, event.data.targetId, () => ({ status: 'CANCELLED' }))
    case 'TargetRunSkipped':
      return updateRun(execution, event.data.targetId, () => ({ status: 'SKIPPED' }))
    case 'FailurePolicyTriggered':
      return { ...execution, halted: { reason: event.data.reason } }
    case 'ExecutionCancelRequested':
      return { ...execution, cancelRequested: true }
    case 'ExecutionFinished':
      return { ...execution, status: event.data.status, finishedAt: event.data.at }
    default:
      return absurd(event)
  }
}

/** Never throws: events for an execution that was never requested, or unknown targets, change nothing. */
export const evolve = (state: ExecutionState, event: ExecutionEvent): ExecutionState => {
  if (state.status === 'absent') return event.type === 'ExecutionRequested' ? requested(event.data) : state
  return evolveExecution(state, event)
}

export const isFinished = (status: ExecutionStatus): boolean => {
  switch (status) {
    case 'QUEUED':
    case 'RUNNING':
      return false
    case 'SUCCEEDED':
    case 'FAILED':
    case 'CANCELLED':
      return true
    default:
      return absurd(status)
  }
}

/** A finished execution takes no more changes: every later report is a no-op or a StaleAttempt. */
export const isTerminal = (state: ExecutionState): boolean => state.status !== 'absent' && isFinished(state.status)

export const inFlight = (execution: Execution): number => execution.counts.DISPATCHED + execution.counts.RUNNING

export const closedCount = (execution: Execution): number =>
  execution.counts.SUCCEEDED + execution.counts.FAILED + execution.counts.CANCELLED + execution.counts.SKIPPED

export const totalTargets = (execution: Execution): number => execution.request.targets.length
