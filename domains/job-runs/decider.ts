import { absurd, accept, firstInvalid, instant, integer, oneOf, reject, text, uuid, type Check, type Decider, type Decision } from '../shared/index.ts'
import { CONCURRENCY_POLICIES, MAX_CONCURRENT_RUNS, type ConcurrencyPolicy } from '../jobs/index.ts'
import { RELEASE_REASONS, type ClaimRun, type JobRunCommand, type ReleaseRun } from './commands.ts'
import { jobAlreadyRunning, type JobRunRejection } from './errors.ts'
import type { JobRunEvent } from './events.ts'

export interface ActiveRun {
  readonly executionId: string
  /** When it took its slot: lets a caller tell a claim whose execution never came from one in flight. */
  readonly since: string
}
export interface WaitingRun {
  readonly executionId: string
  readonly queuedAt: string
}
export interface RunLimit {
  readonly policy: ConcurrencyPolicy
  readonly max: number
}

/** Runs of one job holding a slot, in claim order, and the ones waiting for one, first in first out. */
export interface JobRunState {
  readonly active: ReadonlyArray<ActiveRun>
  readonly queue: ReadonlyArray<WaitingRun>
  /** The latest limit a claim recorded; promotions on release use it. Null before the first claim. */
  readonly limit: RunLimit | null
}

export const initialState: JobRunState = { active: [], queue: [], limit: null }

const without = <T extends { executionId: string }>(list: ReadonlyArray<T>, executionId: string): ReadonlyArray<T> =>
  list.some((entry) => entry.executionId === executionId) ? list.filter((entry) => entry.executionId !== executionId) : list

/** Whether `list` (a job's active runs or its queue) holds the execution. */
export const holds = (list: ReadonlyArray<{ executionId: string }>, executionId: string): boolean => list.some((entry) => entry.executionId === executionId)

/** Replays and duplicates change nothing: an execution is listed at most once. */
export const evolve = (state: JobRunState, event: JobRunEvent): JobRunState => {
  switch (event.type) {
    case 'RunClaimed': {
      const { executionId, policy, max, at } = event.data
      const active = holds(state.active, executionId) ? state.active : [...state.active, { executionId, since: at }]
      return { active, queue: without(state.queue, executionId), limit: { policy, max } }
    }
    case 'RunQueued': {
      const { executionId, policy, max, at } = event.data
      const queue = holds(state.queue, executionId) || holds(state.active, executionId) ? state.queue : [...state.queue, { executionId, queuedAt: at }]
      return { ...state, queue, limit: { policy, max } }
    }
    case 'RunReleased':
      return { ...state, active: without(state.active, event.data.executionId) }
    case 'RunDequeued':
      return { ...state, queue: without(state.queue, event.data.executionId) }
    default:
      return absurd(event)
  }
}

type JobRunDecision = Decision<JobRunEvent, JobRunRejection>

/** The events of one decision and the state they lead to; local to one `decide` call. */
interface Draft {
  state: JobRunState
  readonly events: JobRunEvent[]
}

const emit = (draft: Draft, event: JobRunEvent): void => {
  draft.events.push(event)
  draft.state = evolve(draft.state, event)
}

/** ALLOW runs any number at once; its `max` is kept but not applied. */
const capacity = (limit: RunLimit): number => (limit.policy === 'ALLOW' ? Number.POSITIVE_INFINITY : limit.max)

/** Waiting executions take free slots in the order they came. */
const promote = (draft: Draft, jobId: string, limit: RunLimit, at: string): void => {
  for (let next = draft.state.queue[0]; next !== undefined && draft.state.active.length < capacity(limit); next = draft.state.queue[0]) {
    emit(draft, { type: 'RunClaimed', data: { jobId, executionId: next.executionId, ...limit, queuedAt: next.queuedAt, at } })
  }
}

const checkRun = (command: { jobId: string; executionId: string; at: string }): ReadonlyArray<Check> => [
  uuid('jobId', command.jobId),
  uuid('executionId', command.executionId),
  instant('at', command.at)
]

/**
 * A free slot is taken at once; otherwise QUEUE waits and SKIP is refused. Nobody jumps the
 * queue: while executions wait, a new one waits behind them. A raised limit lets waiting ones
 * start first. Claiming again for an execution that holds a slot or waits changes nothing.
 */
const claim = (command: ClaimRun, state: JobRunState): JobRunDecision => {
  const fault = firstInvalid(
    ...checkRun(command),
    text('jobName', command.jobName, { max: 128 }),
    oneOf('policy', command.policy, CONCURRENCY_POLICIES),
    integer('max', command.max, 1, MAX_CONCURRENT_RUNS)
  )
  if (fault) return reject(fault)
  const { jobId, executionId, policy, max, at } = command
  if (holds(state.active, executionId) || holds(state.queue, executionId)) return accept()
  const limit: RunLimit = { policy, max }
  const draft: Draft = { state, events: [] }
  promote(draft, jobId, limit, at)
  const { active, queue } = draft.state
  if (active.length < capacity(limit) && queue.length === 0) {
    emit(draft, { type: 'RunClaimed', data: { jobId, executionId, ...limit, queuedAt: null, at } })
    return accept(...draft.events)
  }
  switch (policy) {
    case 'QUEUE':
      emit(draft, { type: 'RunQueued', data: { jobId, executionId, ...limit, at } })
      return accept(...draft.events)
    case 'SKIP':
    case 'ALLOW':
      return reject(jobAlreadyRunning(command.jobName, active.length, max))
    default:
      return absurd(policy)
  }
}

/** Releasing an execution that holds nothing (never claimed, or already released) changes nothing. */
const release = (command: ReleaseRun, state: JobRunState): JobRunDecision => {
  const reason = command.reason ?? 'FINISHED'
  const fault = firstInvalid(...checkRun(command), oneOf('reason', reason, RELEASE_REASONS))
  if (fault) return reject(fault)
  const { jobId, executionId, at } = command
  if (holds(state.queue, executionId)) return accept({ type: 'RunDequeued', data: { jobId, executionId, reason, at } })
  if (!holds(state.active, executionId)) return accept()
  const draft: Draft = { state, events: [] }
  emit(draft, { type: 'RunReleased', data: { jobId, executionId, reason, at } })
  // Only claims fill the active list, and each records its limit: there is one here.
  if (state.limit !== null) promote(draft, jobId, state.limit, at)
  return accept(...draft.events)
}

export const decide = (command: JobRunCommand, state: JobRunState): JobRunDecision => {
  switch (command.type) {
    case 'ClaimRun':
      return claim(command, state)
    case 'ReleaseRun':
      return release(command, state)
    default:
      return absurd(command)
  }
}

export const jobRunDecider: Decider<JobRunCommand, JobRunEvent, JobRunState, JobRunRejection> = { initialState, evolve, decide }
