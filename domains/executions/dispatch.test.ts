import { describe, expect, it } from 'vitest'
import { specFor } from '../shared/testing.ts'
import { executionDecider } from './decider.ts'
import type { ExecutionEvent } from './events.ts'
import { inFlight, type Execution } from './state.ts'
import {
  at,
  dispatched,
  executionId,
  finish,
  interrupt,
  interrupted,
  play,
  range,
  request,
  retryScheduled,
  runFinished,
  runSkipped,
  runStarted,
  runToEnd,
  start,
  stateOf,
  targetId
} from './testing.ts'

const spec = specFor(executionDecider)
const dispatchedIn = (events: ReadonlyArray<ExecutionEvent>): string[] =>
  events.flatMap((event) => (event.type === 'TargetRunDispatched' ? [`${Number(event.data.targetId.slice(-12))}#${event.data.attempt}`] : []))
const execution = (events: ReadonlyArray<ExecutionEvent>): Execution => {
  const state = stateOf(events)
  if (state.status === 'absent') throw new Error('no execution')
  return state
}

describe('Execution', () => {
  describe('when running with parallelism 3', () => {
    const requested = play([request(10, { parallelism: 3 })])
    it('dispatches exactly 3 of 10 targets at first', () => expect(dispatchedIn(requested)).toEqual(['1#1', '2#1', '3#1']))
    it('dispatches nothing more when a target starts', () => spec(requested).when(start(1)).then([expect.objectContaining({ type: 'ExecutionStarted' }), runStarted(1)]))
    it('dispatches the next target when one finishes', () => spec(play([start(1)], requested)).when(finish(1)).then([runFinished(1), dispatched(4)]))
    it('dispatches the next target when one fails', () => spec(play([start(2)], requested)).when(finish(2, 'FAILED')).then([runFinished(2, 'FAILED', 1, 1), dispatched(4)]))
    it('dispatches targets in the order given, one more per finish, never more than 3 at once', () => {
      let events = requested
      let most = 0
      for (const n of range(1, 10)) {
        events = play([start(n), finish(n)], events)
        most = Math.max(most, inFlight(execution(events)))
      }
      expect(dispatchedIn(events)).toEqual(range(1, 10).map((n) => `${n}#1`))
      expect(most).toBe(3)
      expect(events.at(-1)).toMatchObject({ type: 'ExecutionFinished', data: { status: 'SUCCEEDED', summary: { total: 10, succeeded: 10 } } })
    })
    it('ignores a re-sent finish without dispatching again', () => spec(play([start(1), finish(1)], requested)).when(finish(1)).thenNothing())
  })

  describe('when running in batches of 4 targets', () => {
    const requested = play([request(10, { batchSize: { count: 4 } })])
    it('dispatches the first batch only', () => expect(dispatchedIn(requested)).toEqual(['1#1', '2#1', '3#1', '4#1']))
    it('waits while any target of the batch is unfinished', () => spec(play(runToEnd([1, 2, 3]), requested)).when(start(4)).then([runStarted(4)]))
    it('dispatches nothing on a finish that leaves the batch open', () => spec(play([...runToEnd([1, 2]), start(3)], requested)).when(finish(3)).then([runFinished(3)]))
    it('starts the next batch when the whole batch finished', () =>
      spec(play([...runToEnd([1, 2, 3]), start(4)], requested))
        .when(finish(4))
        .then([runFinished(4), dispatched(5), dispatched(6), dispatched(7), dispatched(8)]))
    it('counts failed targets as finished', () =>
      expect(dispatchedIn(play([...runToEnd([1, 2, 3], 'FAILED'), start(4), finish(4)], requested)).slice(4)).toEqual(['5#1', '6#1', '7#1', '8#1']))
    it('ends with a smaller last batch', () => {
      const events = play(runToEnd(range(1, 8)), requested)
      expect(dispatchedIn(events).slice(8)).toEqual(['9#1', '10#1'])
    })
    it('still respects the parallelism inside a batch', () => {
      const events = play([request(10, { batchSize: { count: 4 }, parallelism: 2 }), start(1), finish(1)])
      expect(dispatchedIn(events)).toEqual(['1#1', '2#1', '3#1'])
    })
    it('keeps the batch open while a target waits for its retry', () => {
      const events = play([...runToEnd([1, 2, 3]), start(4), finish(4, 'FAILED')], play([request(10, { batchSize: { count: 4 }, retries: 1, retryBackoffSeconds: 0 })]))
      expect(dispatchedIn(events)).toEqual(['1#1', '2#1', '3#1', '4#1', '4#2'])
    })
  })

  describe('when running in batches of 25 percent', () => {
    const requested = play([request(10, { batchSize: { percent: 25 } })])
    it('rounds the batch up to 3 of 10 targets', () => expect(dispatchedIn(requested)).toEqual(['1#1', '2#1', '3#1']))
    it('moves on batch by batch', () => {
      const events = play(runToEnd([1, 2, 3]), requested)
      expect(dispatchedIn(events)).toEqual(range(1, 6).map((n) => `${n}#1`))
    })
    it('runs at least one target per batch', () => expect(dispatchedIn(play([request(3, { batchSize: { percent: 1 } })]))).toEqual(['1#1']))
  })

  describe('with failure policy STOP', () => {
    // 5 targets, 2 at a time: 1 and 2 run, 3–5 wait.
    const requested = play([request(5, { parallelism: 2, failurePolicy: 'STOP' })])
    const reason = 'stopped after target web-1 failed (failure policy STOP)'
    it('stops dispatching after a failure and skips the targets not yet started', () =>
      spec(play([start(1), start(2)], requested))
        .when(finish(1, 'FAILED'))
        .then([
          runFinished(1, 'FAILED', 1, 1),
          { type: 'FailurePolicyTriggered', data: { executionId, policy: 'STOP', targetId: targetId(1), failed: 1, succeeded: 0, reason, at } },
          runSkipped(3, reason),
          runSkipped(4, reason),
          runSkipped(5, reason)
        ]))
    it('skips a dispatched target that has not started', () => {
      const events = play([start(1), finish(1, 'FAILED')], requested)
      expect(events.filter((event) => event.type === 'TargetRunSkipped').map((event) => event.data.targetId)).toEqual([2, 3, 4, 5].map(targetId))
    })
    it('lets running targets finish, then finishes FAILED', () =>
      spec(play([start(1), start(2), finish(1, 'FAILED')], requested))
        .when(finish(2))
        .then([
          runFinished(2),
          {
            type: 'ExecutionFinished',
            data: { executionId, status: 'FAILED', reason, summary: { total: 5, succeeded: 1, failed: 1, cancelled: 0, skipped: 3, durationMs: 0 }, at }
          }
        ]))
    it('keeps going through retries before calling a target failed', () => {
      const events = play([start(1), finish(1, 'FAILED')], play([request(5, { parallelism: 2, failurePolicy: 'STOP', retries: 1 })]))
      expect(events.some((event) => event.type === 'FailurePolicyTriggered')).toBe(false)
    })
    it('does not retry a running target that fails after the stop', () => {
      const retrying = play([request(5, { parallelism: 2, failurePolicy: 'STOP', retries: 1, retryBackoffSeconds: 0 })])
      const stopped = play([start(1), start(2), finish(1, 'FAILED'), start(1, 2), finish(1, 'FAILED', 2)], retrying)
      spec(stopped)
        .when(finish(2, 'FAILED'))
        .then([
          runFinished(2, 'FAILED', 1, 1),
          {
            type: 'ExecutionFinished',
            data: { executionId, status: 'FAILED', reason, summary: { total: 5, succeeded: 0, failed: 2, cancelled: 0, skipped: 3, durationMs: 0 }, at }
          }
        ])
    })
  })

  describe('with maxFailedPercent 30', () => {
    const requested = play([request(10, { maxFailedPercent: 30 })])
    it('goes on while the failed share stays at or below 30%', () => {
      const events = play([...runToEnd([1, 2, 3]), ...runToEnd([4, 5, 6], 'FAILED')], play(runToEnd(range(7, 10)), requested))
      expect(events.some((event) => event.type === 'FailurePolicyTriggered')).toBe(false)
      expect(events.at(-1)).toMatchObject({ type: 'ExecutionFinished', data: { status: 'FAILED', summary: { failed: 3, succeeded: 7 } } })
    })
    it('stops like STOP once the share exceeds it', () => {
      const reason = 'stopped: 2 of 5 finished targets failed, more than maxFailedPercent 30%'
      spec(play([...runToEnd([1, 2, 3]), ...runToEnd([4], 'FAILED'), start(5)], requested))
        .when(finish(5, 'FAILED'))
        .then([
          runFinished(5, 'FAILED', 1, 1),
          { type: 'FailurePolicyTriggered', data: { executionId, policy: 'MAX_FAILED_PERCENT', targetId: targetId(5), failed: 2, succeeded: 3, reason, at } },
          ...range(6, 10).map((n) => runSkipped(n, reason)),
          {
            type: 'ExecutionFinished',
            data: { executionId, status: 'FAILED', reason, summary: { total: 10, succeeded: 3, failed: 2, cancelled: 0, skipped: 5, durationMs: 0 }, at }
          }
        ])
    })
    it('stops at the first failure with maxFailedPercent 0', () => {
      const events = play([...runToEnd([1, 2]), start(3), finish(3, 'FAILED')], play([request(4, { maxFailedPercent: 0 })]))
      expect(events.filter((event) => event.type === 'FailurePolicyTriggered')).toHaveLength(1)
    })
  })

  describe('with 3 retries and a backoff of 10 seconds', () => {
    const requested = play([request(2, { retries: 3, retryBackoffSeconds: 10 })])
    const firstFailure = play([start(1), finish(1, 'FAILED')], requested)
    it('retries a failed target after 10 seconds', () =>
      spec(play([start(1)], requested))
        .when(finish(1, 'FAILED'))
        .then([runFinished(1, 'FAILED', 1, 1), retryScheduled(1, 2, '2025-01-01T00:00:10.000Z'), dispatched(1, 2, '2025-01-01T00:00:10.000Z')]))
    it('doubles the wait for every further attempt', () => {
      const events = play([start(1, 2), finish(1, 'FAILED', 2), start(1, 3), finish(1, 'FAILED', 3)], firstFailure)
      expect(events.filter((event) => event.type === 'TargetRunRetryScheduled').map((event) => event.data.notBefore)).toEqual([
        '2025-01-01T00:00:10.000Z',
        '2025-01-01T00:00:20.000Z',
        '2025-01-01T00:00:40.000Z'
      ])
    })
    it('fails the target once its attempts are used up', () => {
      const events = play([2, 3, 4].flatMap((attempt) => [start(1, attempt), finish(1, 'FAILED', attempt)]), play(runToEnd([2]), firstFailure))
      expect(events.at(-1)).toMatchObject({ type: 'ExecutionFinished', data: { status: 'FAILED', summary: { failed: 1, succeeded: 1 } } })
    })
    it('succeeds when a retry succeeds', () => {
      const events = play([start(1, 2), finish(1, 'SUCCEEDED', 2), ...runToEnd([2])], firstFailure)
      expect(events.at(-1)).toMatchObject({ type: 'ExecutionFinished', data: { status: 'SUCCEEDED', summary: { succeeded: 2, failed: 0 } } })
    })
    it('ignores the failure report sent again after the retry was scheduled', () => spec(firstFailure).when(finish(1, 'FAILED')).thenNothing())
    it('refuses reports from the superseded attempt', () => spec(firstFailure).when(start(1)).thenRejects('StaleAttempt', 'attempt'))
    it('accepts the start of the retry', () => spec(firstFailure).when(start(1, 2, 'worker-2')).then([runStarted(1, 2, 'worker-2')]))
    it('waits at most one hour', () => {
      const events = play([start(1), finish(1, 'FAILED'), start(1, 2), finish(1, 'FAILED', 2)], play([request(1, { retries: 3, retryBackoffSeconds: 2400 })]))
      expect(events.filter((event) => event.type === 'TargetRunRetryScheduled').map((event) => event.data.notBefore)).toEqual([
        '2025-01-01T00:40:00.000Z',
        '2025-01-01T01:00:00.000Z'
      ])
    })
    it('retries at once with no backoff', () =>
      spec(play([start(1)], play([request(1, { retries: 1, retryBackoffSeconds: 0 })])))
        .when(finish(1, 'FAILED'))
        .then([runFinished(1, 'FAILED', 1, 1), retryScheduled(1, 2, null), dispatched(1, 2, null)]))
  })

  describe('when a run is interrupted', () => {
    const withRetry = play([start(1)], play([request(2, { retries: 1, retryBackoffSeconds: 5 })]))
    const noRetry = play([start(1)], play([request(2)]))
    it('retries it when attempts are left', () =>
      spec(withRetry)
        .when(interrupt(1, 1, 'worker-1 died'))
        .then([interrupted(1, 1, 'worker-1 died'), retryScheduled(1, 2, '2025-01-01T00:00:05.000Z'), dispatched(1, 2, '2025-01-01T00:00:05.000Z')]))
    it('fails the target with the reason when none are left', () =>
      spec(noRetry).when(interrupt(1, 1, 'worker-1 died')).then([interrupted(1, 1, 'worker-1 died'), runFinished(1, 'FAILED', 1, null, 'worker-1 died')]))
    it('interrupts work that was dispatched but never started', () =>
      spec(play([request(1, { retries: 1, retryBackoffSeconds: 0 })]))
        .when(interrupt(1, 1, 'not picked up'))
        .then([interrupted(1, 1, 'not picked up'), retryScheduled(1, 2, null), dispatched(1, 2, null)]))
    it('ignores the same interruption sent again', () => spec(play([interrupt(1, 1, 'worker-1 died')], withRetry)).when(interrupt(1, 1, 'worker-1 died')).thenNothing())
    it('ignores it again after the target failed', () => spec(play([interrupt(1, 1, 'worker-1 died')], noRetry)).when(interrupt(1, 1, 'worker-1 died')).thenNothing())
    it('refuses the late report of the worker thought dead', () => spec(play([interrupt(1, 1, 'worker-1 died')], withRetry)).when(finish(1)).thenRejects('StaleAttempt'))
    it('refuses to interrupt an attempt that already finished', () => spec(play([finish(1)], noRetry)).when(interrupt(1)).thenRejects('StaleAttempt'))
    it('applies the failure policy to the failed target', () => {
      const events = play([start(1), interrupt(1)], play([request(3, { parallelism: 1, failurePolicy: 'STOP' })]))
      expect(events.filter((event) => event.type === 'TargetRunSkipped')).toHaveLength(2)
      expect(events.at(-1)).toMatchObject({ type: 'ExecutionFinished', data: { status: 'FAILED', summary: { failed: 1, skipped: 2 } } })
    })
    it('dispatches the next target into the freed slot', () => {
      const events = play([start(1), interrupt(1)], play([request(3, { parallelism: 1 })]))
      expect(dispatchedIn(events)).toEqual(['1#1', '2#1'])
    })
    it('needs a reason', () => spec(withRetry).when(interrupt(1, 1, '')).thenRejects('InvalidInput', 'reason'))
  })
})

