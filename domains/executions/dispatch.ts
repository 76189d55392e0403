import type { ExecutionEvent, TargetRunFinished } from './events.ts'
import { backoffSeconds, batchLength } from './options.ts'
import { closedCount, evolveExecution, inFlight, isFinished, runAt, totalTargets, type Execution, type RunStatus } from './state.ts'
import { entries } from './table.ts'
import { addSeconds, elapsedMs } from '../shared/time.ts'

/**
 * One decision in the making: the events so far and the state they lead to. A command often
 * causes a chain (a target finishes → the next one is dispatched → the execution finishes), and
 * each link is decided on the state after the previous one. Local to one `decide` call.
 */
export interface Draft {
  execution: Execution
  readonly events: ExecutionEvent[]
  readonly at: string
}

export const draftOf = (execution: Execution, at: string, events: ExecutionEvent[] = []): Draft => ({ execution, events, at })

export const emit = (draft: Draft, event: ExecutionEvent): void => {
  draft.events.push(event)
  draft.execution = evolveExecution(draft.execution, event)
}

const targetIdAt = (execution: Execution, position: number): string => execution.request.targets[position]?.targetId ?? ''

const attemptOf = (draft: Draft, position: number) => ({
  executionId: draft.execution.request.executionId,
  targetId: targetIdAt(draft.execution, position),
  attempt: runAt(draft.execution, position)?.attempt ?? 1,
  at: draft.at
})

const dispatch = (draft: Draft, position: number): void => {
  const { executionId, targetId, attempt, at } = attemptOf(draft, position)
  const notBefore = runAt(draft.execution, position)?.notBefore ?? null
  emit(draft, { type: 'TargetRunDispatched', data: { executionId, targetId, attempt, notBefore, workId: `${executionId}:${targetId}:${attempt}`, at } })
}

/** New work goes out only once released, while nobody cancelled, the failure policy has not stopped it, and it runs. */
const dispatching = (execution: Execution): boolean =>
  !execution.held && !execution.cancelRequested && execution.halted === null && !isFinished(execution.status)

/**
 * End (exclusive) of the positions fresh targets may be taken from now. Within a batch, any;
 * at a batch boundary, the next batch opens only once every target before it is done (targets
 * waiting for a retry are not done).
 */
export const batchLimit = (execution: Execution): number => {
  const total = totalTargets(execution)
  const size = batchLength(execution.request.options, total)
  const { cursor } = execution
  if (cursor % size !== 0) return Math.min(total, cursor - (cursor % size) + size)
  return closedCount(execution) >= cursor ? Math.min(total, cursor + size) : cursor
}

/**
 * Hands out work up to the parallelism: retries first (their target already holds a place in
 * the batch), then fresh targets in the order given. O(dispatched), never a scan of all targets.
 */
export const dispatchReady = (draft: Draft): void => {
  if (!dispatching(draft.execution)) return
  let slots = draft.execution.request.options.parallelism - inFlight(draft.execution)
  for (const position of draft.execution.retrying) {
    if (slots <= 0) return
    dispatch(draft, position)
    slots -= 1
  }
  const limit = batchLimit(draft.execution)
  while (slots > 0 && draft.execution.cursor < limit) {
    dispatch(draft, draft.execution.cursor)
    slots -= 1
  }
}

/** A failed attempt is retried while attempts are left, unless a cancel or the failure policy stopped the run. */
export const canRetry = (execution: Execution, attempt: number): boolean =>
  dispatching(execution) && attempt <= execution.request.options.retries

export const scheduleRetry = (draft: Draft, targetId: string, failedAttempt: number): void => {
  const attempt = failedAttempt + 1
  const wait = backoffSeconds(draft.execution.request.options, attempt)
  const notBefore = wait > 0 ? addSeconds(draft.at, wait) : null
  emit(draft, { type: 'TargetRunRetryScheduled', data: { executionId: draft.execution.request.executionId, targetId, attempt, notBefore, at: draft.at } })
}

const notStarted = (status: RunStatus): boolean => status === 'PENDING' || status === 'DISPATCHED'

/** Every target that has not started yet: PENDING, DISPATCHED, or waiting for a retry. One pass. */
export const closeNotStarted = (draft: Draft, close: (base: ReturnType<typeof attemptOf>) => ExecutionEvent): void => {
  for (const [position, run] of entries(draft.execution.runs)) if (notStarted(run.status)) emit(draft, close(attemptOf(draft, position)))
}

/**
 * After a target's final failure: STOP, or a failed share above maxFailedPercent, stops the run.
 * Targets not yet started are skipped at once, so a worker that picks up their work hears
 * StaleAttempt and never runs them; running targets finish on their own.
 */
export const applyFailurePolicy = (draft: Draft, targetId: string): void => {
  const execution = draft.execution
  if (!dispatching(execution)) return
  const { failurePolicy, maxFailedPercent } = execution.request.options
  const failed = execution.counts.FAILED
  const succeeded = execution.counts.SUCCEEDED
  const name = execution.request.targets[execution.positions.get(targetId) ?? -1]?.name ?? targetId
  const overShare = maxFailedPercent !== null && failed * 100 > maxFailedPercent * (failed + succeeded)
  if (failurePolicy !== 'STOP' && !overShare) return
  const policy = failurePolicy === 'STOP' ? 'STOP' : 'MAX_FAILED_PERCENT'
  const reason =
    policy === 'STOP'
      ? `stopped after target ${name} failed (failure policy STOP)`
      : `stopped: ${failed} of ${failed + succeeded} finished targets failed, more than maxFailedPercent ${maxFailedPercent}%`
  emit(draft, { type: 'FailurePolicyTriggered', data: { executionId: execution.request.executionId, policy, targetId, failed, succeeded, reason, at: draft.at } })
  closeNotStarted(draft, (base) => ({ type: 'TargetRunSkipped', data: { ...base, reason } }))
}

const failureReason = (execution: Execution): string => {
  if (execution.halted) return execution.halted.reason
  const { SUCCEEDED, FAILED, CANCELLED, SKIPPED } = execution.counts
  const total = totalTargets(execution)
  const parts = [FAILED ? `${FAILED} failed` : '', CANCELLED ? `${CANCELLED} cancelled` : '', SKIPPED ? `${SKIPPED} skipped` : ''].filter(Boolean)
  return `${total - SUCCEEDED} of ${total} targets did not succeed (${parts.join(', ')})`
}

export const finish = (draft: Draft, status: TargetRunFinished['data']['status'], reason: string | null): void => {
  const { counts, startedAt, request } = draft.execution
  const summary = {
    total: totalTargets(draft.execution),
    succeeded: counts.SUCCEEDED,
    failed: counts.FAILED,
    cancelled: counts.CANCELLED,
    skipped: counts.SKIPPED,
    durationMs: startedAt === null ? 0 : elapsedMs(startedAt, draft.at)
  }
  emit(draft, { type: 'ExecutionFinished', data: { executionId: request.executionId, status, reason, summary, at: draft.at } })
}

/** Cancel requested → CANCELLED; every target SUCCEEDED → SUCCEEDED; anything else → FAILED. */
const finishIfDone = (draft: Draft): void => {
  const execution = draft.execution
  if (isFinished(execution.status) || closedCount(execution) < totalTargets(execution)) return
  if (execution.cancelRequested) return finish(draft, 'CANCELLED', null)
  if (execution.counts.SUCCEEDED === totalTargets(execution)) return finish(draft, 'SUCCEEDED', null)
  return finish(draft, 'FAILED', failureReason(execution))
}

/** What every change ends with: hand out the work that may start now, and finish when all is done. */
export const settle = (draft: Draft): ReadonlyArray<ExecutionEvent> => {
  dispatchReady(draft)
  finishIfDone(draft)
  return draft.events
}
