import { describe, expect, it } from 'vitest'
import { specFor } from '../shared/testing.ts'
import type { RecordStepFinished, RecordStepStarted } from './commands.ts'
import { executionDecider } from './decider.ts'
import type { ExecutionEvent, ExecutionSummary as Summary } from './events.ts'
import { failedTargets, targetRunOf } from './queries.ts'
import { isTerminal } from './state.ts'
import {
  at,
  cancel,
  dispatched,
  executionId,
  executionStarted,
  failExecution,
  finish,
  play,
  request,
  requested,
  runCancelled,
  runFinished,
  runSkipped,
  runStarted,
  runToEnd,
  sealedPassword,
  start,
  stateOf,
  targetId,
  targets
} from './testing.ts'

const spec = specFor(executionDecider)
const finished = (status: 'SUCCEEDED' | 'FAILED' | 'CANCELLED', summary: Summary, reason: string | null = null): ExecutionEvent => ({
  type: 'ExecutionFinished',
  data: { executionId, status, reason, summary, at }
})
const later = (seconds: number) => `2025-01-01T00:${String(Math.floor(seconds / 60)).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}.000Z`

const stepStarted = (n: number, stepIndex: number, attempt = 1): RecordStepStarted => ({ type: 'RecordStepStarted', executionId, targetId: targetId(n), attempt, stepIndex, at })
const stepFinished = (n: number, stepIndex: number, more: Partial<RecordStepFinished> = {}): RecordStepFinished => ({
  type: 'RecordStepFinished',
  executionId,
  targetId: targetId(n),
  attempt: 1,
  stepIndex,
  exitCode: 0,
  durationMs: 1200,
  outputBytes: 512,
  timedOut: false,
  error: null,
  at,
  ...more
})
const stepData = (n: number, stepIndex: number) => ({ executionId, targetId: targetId(n), attempt: 1, stepIndex, at })

/** Three targets requested with parallelism 10: all dispatched. */
const threeDispatched = play([request(3)])
const threeRunning = play([start(1), start(2), start(3)], threeDispatched)

describe('Execution', () => {
  describe('when requested', () => {
    it('records the request and dispatches the first targets in the same decision', () =>
      spec().when(request(3)).then([requested(3), dispatched(1), dispatched(2), dispatched(3)]))
    it('fills in the default options', () =>
      expect((requested(1).data.options)).toEqual({
        parallelism: 10,
        batchSize: null,
        failurePolicy: 'CONTINUE',
        maxFailedPercent: null,
        retries: 0,
        retryBackoffSeconds: 30,
        stepTimeoutSeconds: null
      }))
    it('carries sealed secret parameters as they are', () => {
      const decision = executionDecider.decide(request(1), executionDecider.initialState)
      expect(decision.ok && decision.events[0]?.type === 'ExecutionRequested' && decision.events[0].data.parameters.password).toEqual(sealedPassword)
    })
    it('keeps the steps as the job version defines them, unsubstituted', () => {
      const decision = executionDecider.decide(request(1), executionDecider.initialState)
      expect(decision.ok && decision.events[0]?.type === 'ExecutionRequested' && decision.events[0].data.steps[0]).toMatchObject({ command: 'systemctl stop {{service}}' })
    })
    it('dispatches no more targets than the parallelism', () =>
      spec().when(request(5, { parallelism: 2 })).then([requested(5, { parallelism: 2 }), dispatched(1), dispatched(2)]))
    it('is queued until a target starts', () => expect(stateOf(threeDispatched).status).toBe('QUEUED'))
    it('ignores the same request sent again', () => spec(threeDispatched).when(request(3)).thenNothing())
    it('ignores it even with a later time', () => spec(threeDispatched).when({ ...request(3), at: later(5) }).thenNothing())
    it('rejects another request under the same id', () => spec(threeDispatched).when(request(4)).thenRejects('ExecutionAlreadyRequested'))
    it('rejects a run without targets', () => spec().when(request(0)).thenRejects('InvalidInput', 'targetIds'))
    it('rejects more than 10,000 targets', () => spec().when(request(10_001)).thenRejects('InvalidInput', 'targetIds'))
    it('rejects a target named twice', () =>
      spec().when({ ...request(2), targets: [...targets(2), targets(1)[0]!] }).thenRejects('InvalidInput', 'targetIds[2]'))
    it('rejects a malformed target id', () =>
      spec().when({ ...request(1), targets: [{ targetId: 'web-1', name: 'web-1' }] }).thenRejects('InvalidInput', 'targetIds[0]'))
    it('rejects a malformed execution id', () => spec().when({ ...request(1), executionId: 'run-1' }).thenRejects('InvalidInput', 'executionId'))
    it('rejects a time that is not ISO UTC', () => spec().when({ ...request(1), at: '01/01/2025' }).thenRejects('InvalidInput', 'at'))
    it('rejects a job without steps', () => spec().when({ ...request(1), steps: [] }).thenRejects('InvalidInput', 'steps'))
    it('rejects a parameter that is neither a value nor a sealed secret, without echoing it', () => {
      const rejection = spec()
        .when({ ...request(1), parameters: { password: { plain: 'hunter2' } as never } })
        .thenRejects('InvalidInput', 'parameters.password')
      expect(rejection.message).not.toContain('hunter2')
    })
    it('rejects bad options naming the option', () => spec().when(request(1, { parallelism: 0 })).thenRejects('InvalidInput', 'parallelism'))
    it('rejects a requester without a kind', () =>
      spec().when({ ...request(1), requestedBy: { id: 'u-1', name: 'alice' } as never }).thenRejects('InvalidInput', 'requestedBy.kind'))
  })

  describe('when a worker starts a target', () => {
    it('starts the execution with its first target', () => spec(threeDispatched).when(start(1)).then([executionStarted(), runStarted(1)]))
    it('starts later targets without starting the execution again', () =>
      spec(play([start(1)], threeDispatched)).when(start(2, 1, 'worker-2')).then([runStarted(2, 1, 'worker-2')]))
    it('ignores the same start sent again by the same worker', () => spec(play([start(1)], threeDispatched)).when(start(1)).thenNothing())
    it('refuses a second worker the same attempt', () =>
      spec(play([start(1)], threeDispatched)).when(start(1, 1, 'worker-2')).thenRejects('AttemptAlreadyStarted'))
    it('refuses a target that has not been dispatched yet', () =>
      spec(play([request(3, { parallelism: 1 })])).when(start(2)).thenRejects('StaleAttempt', 'attempt'))
    it('refuses an attempt that was never dispatched', () => spec(threeDispatched).when(start(1, 2)).thenRejects('StaleAttempt', 'attempt'))
    it('refuses a target outside the execution', () => spec(threeDispatched).when(start(9)).thenRejects('TargetNotInExecution', 'targetId'))
    it('refuses an execution that was never requested', () => spec().when(start(1)).thenRejects('ExecutionNotFound'))
    it('refuses an attempt number outside 1 to 11', () => spec(threeDispatched).when(start(1, 0)).thenRejects('InvalidInput', 'attempt'))
    it('refuses a report without a worker id', () => spec(threeDispatched).when(start(1, 1, '')).thenRejects('InvalidInput', 'workerId'))
    it('shows the target as RUNNING', () => expect(targetRunOf(stateOf(play([start(1)], threeDispatched)), targetId(1))).toMatchObject({ status: 'RUNNING', attempt: 1 }))
    it('shows a dispatched target as PENDING', () => expect(targetRunOf(stateOf(threeDispatched), targetId(2))?.status).toBe('PENDING'))
  })

  describe('when a worker reports steps', () => {
    it('records a step start', () => spec(threeRunning).when(stepStarted(1, 0)).then([{ type: 'StepStarted', data: stepData(1, 0) }]))
    it('records a step result', () =>
      spec(play([stepStarted(1, 0)], threeRunning))
        .when(stepFinished(1, 0))
        .then([{ type: 'StepFinished', data: { ...stepData(1, 0), exitCode: 0, durationMs: 1200, outputBytes: 512, timedOut: false, error: null } }]))
    it('ignores a step start sent again', () => spec(play([stepStarted(1, 0)], threeRunning)).when(stepStarted(1, 0)).thenNothing())
    it('ignores a step result sent again', () => spec(play([stepStarted(1, 0), stepFinished(1, 0)], threeRunning)).when(stepFinished(1, 0)).thenNothing())
    it('takes the next step once the previous one finished', () =>
      spec(play([stepStarted(1, 0), stepFinished(1, 0)], threeRunning)).when(stepStarted(1, 1)).then([{ type: 'StepStarted', data: stepData(1, 1) }]))
    it('refuses a step that skips ahead', () => spec(threeRunning).when(stepStarted(1, 1)).thenRejects('StepOutOfOrder', 'stepIndex'))
    it('refuses a step while the previous one still runs', () =>
      spec(play([stepStarted(1, 0)], threeRunning)).when(stepStarted(1, 1)).thenRejects('StepOutOfOrder', 'stepIndex'))
    it('refuses a result for a step that never started', () => spec(threeRunning).when(stepFinished(1, 0)).thenRejects('StepOutOfOrder', 'stepIndex'))
    it('refuses a step the job does not have', () => spec(threeRunning).when(stepStarted(1, 2)).thenRejects('InvalidInput', 'stepIndex'))
    it('refuses steps before the run started', () => spec(threeDispatched).when(stepStarted(1, 0)).thenRejects('AttemptNotStarted'))
    it('refuses a negative duration', () =>
      spec(play([stepStarted(1, 0)], threeRunning)).when(stepFinished(1, 0, { durationMs: -1 })).thenRejects('InvalidInput', 'durationMs'))
    it('cuts an overlong error message instead of losing the report', () => {
      const decision = executionDecider.decide(stepFinished(1, 0, { exitCode: 1, error: 'x'.repeat(10_000) }), stateOf(play([stepStarted(1, 0)], threeRunning)))
      const event = decision.ok ? decision.events[0] : undefined
      expect(event?.type === 'StepFinished' && event.data.error?.length).toBe(2000)
    })
  })

  describe('when target runs finish', () => {
    const twoDone = play([finish(1), finish(2)], threeRunning)
    it('records the outcome', () => spec(threeRunning).when(finish(1)).then([runFinished(1)]))
    it('finishes the execution with its last target', () =>
      spec(twoDone)
        .when({ ...finish(3), at: later(90) })
        .then([
          runFinished(3, 'SUCCEEDED', 1, 0, null, later(90)),
          {
            type: 'ExecutionFinished',
            data: { executionId, status: 'SUCCEEDED', reason: null, summary: { total: 3, succeeded: 3, failed: 0, cancelled: 0, skipped: 0, durationMs: 90_000 }, at: later(90) }
          }
        ]))
    it('fails the execution when any target failed, after all of them ran', () => {
      const events = play([finish(1, 'FAILED'), finish(2), finish(3)], threeRunning)
      expect(events.at(-1)).toEqual({
        type: 'ExecutionFinished',
        data: { executionId, status: 'FAILED', reason: '1 of 3 targets did not succeed (1 failed)', summary: { total: 3, succeeded: 2, failed: 1, cancelled: 0, skipped: 0, durationMs: 0 }, at }
      })
    })
    it('keeps the worker reason and exit code', () =>
      spec(threeRunning).when(finish(1, 'FAILED', 1, { exitCode: 127, reason: 'command not found' })).then([runFinished(1, 'FAILED', 1, 127, 'command not found')]))
    it('ignores the same outcome sent again', () => spec(play([finish(1)], threeRunning)).when(finish(1)).thenNothing())
    it('refuses another outcome for a finished attempt', () => spec(play([finish(1)], threeRunning)).when(finish(1, 'FAILED')).thenRejects('StaleAttempt'))
    it('refuses an outcome before the run started', () => spec(threeDispatched).when(finish(1)).thenRejects('AttemptNotStarted'))
    it('refuses an unknown outcome', () => spec(threeRunning).when(finish(1, 'TIMEOUT' as never)).thenRejects('InvalidInput', 'outcome'))
    it('refuses a fractional exit code', () => spec(threeRunning).when(finish(1, 'FAILED', 1, { exitCode: 1.5 })).thenRejects('InvalidInput', 'exitCode'))
    it('fails the execution when a worker cancelled a target nobody asked to cancel', () => {
      const events = play([finish(1, 'CANCELLED'), finish(2), finish(3)], threeRunning)
      expect(events.at(-1)).toMatchObject({ type: 'ExecutionFinished', data: { status: 'FAILED', summary: { cancelled: 1, succeeded: 2 } } })
    })
  })

  describe('when finished', () => {
    const done = play(runToEnd([1, 2, 3]), threeDispatched)
    it('is terminal', () => expect(isTerminal(stateOf(done))).toBe(true))
    it('is not terminal while targets run', () => expect(isTerminal(stateOf(threeRunning))).toBe(false))
    it('ignores a re-sent outcome', () => spec(done).when(finish(3)).thenNothing())
    it('refuses a contradicting outcome as a stale attempt', () => spec(done).when(finish(3, 'FAILED')).thenRejects('StaleAttempt'))
    it('refuses a late start as a stale attempt', () => spec(done).when(start(2)).thenRejects('StaleAttempt'))
    it('refuses a late step report as a stale attempt', () => spec(done).when(stepStarted(2, 0)).thenRejects('StaleAttempt'))
    it('ignores a cancel', () => spec(done).when(cancel).thenNothing())
    it('ignores the watchdog', () => spec(done).when(failExecution('lost')).thenNothing())
  })

  describe('when cancelled before anything started', () => {
    it('cancels every target and finishes CANCELLED at once', () =>
      spec(play([request(3, { parallelism: 1 })]))
        .when(cancel)
        .then([
          { type: 'ExecutionCancelRequested', data: { executionId, requestedBy: { kind: 'user', id: 'u-1', name: 'alice' }, at } },
          runCancelled(1),
          runCancelled(2),
          runCancelled(3),
          {
            type: 'ExecutionFinished',
            data: { executionId, status: 'CANCELLED', reason: null, summary: { total: 3, succeeded: 0, failed: 0, cancelled: 3, skipped: 0, durationMs: 0 }, at }
          }
        ]))
  })

  describe('when cancelled while targets run', () => {
    // Targets 1 and 2 run, 3 is dispatched but not started, 4 and 5 wait for a slot.
    const midway = play([start(1), start(2)], play([request(5, { parallelism: 3 })]))
    const cancelling = play([cancel], midway)
    it('cancels the targets not yet started and lets the running ones be', () =>
      spec(midway)
        .when(cancel)
        .then([
          { type: 'ExecutionCancelRequested', data: { executionId, requestedBy: { kind: 'user', id: 'u-1', name: 'alice' }, at } },
          runCancelled(3),
          runCancelled(4),
          runCancelled(5)
        ]))
    it('tells a worker picking up cancelled work that its attempt is stale', () => spec(cancelling).when(start(3)).thenRejects('StaleAttempt'))
    it('dispatches nothing when a running target finishes', () => spec(cancelling).when(finish(1, 'CANCELLED')).then([runFinished(1, 'CANCELLED', 1, null)]))
    it('finishes CANCELLED when the last running target reports', () => {
      const events = play([finish(1, 'CANCELLED'), finish(2)], cancelling)
      expect(events.at(-1)).toEqual({
        type: 'ExecutionFinished',
        data: { executionId, status: 'CANCELLED', reason: null, summary: { total: 5, succeeded: 1, failed: 0, cancelled: 4, skipped: 0, durationMs: 0 }, at }
      })
    })
    it('does not retry a failed attempt', () =>
      spec(play([cancel], play([start(1)], play([request(2, { retries: 3 })]))))
        .when(finish(1, 'FAILED'))
        .then([runFinished(1, 'FAILED', 1, 1), finished('CANCELLED', { total: 2, succeeded: 0, failed: 1, cancelled: 1, skipped: 0, durationMs: 0 })]))
    it('ignores a second cancel', () => spec(cancelling).when(cancel).thenNothing())
    it('names who asked', () => spec(midway).when({ ...cancel, requestedBy: { kind: 'robot', id: 'x', name: 'x' } as never }).thenRejects('InvalidInput', 'requestedBy.kind'))
  })

  describe('when the watchdog gives it up', () => {
    const midway = play([start(1), start(2)], play([request(5, { parallelism: 3 })]))
    it('fails the running targets, skips the rest and finishes FAILED with the reason', () =>
      spec(midway)
        .when(failExecution('no heartbeat for 10 minutes', later(600)))
        .then([
          runFinished(1, 'FAILED', 1, null, 'no heartbeat for 10 minutes', later(600)),
          runFinished(2, 'FAILED', 1, null, 'no heartbeat for 10 minutes', later(600)),
          ...[3, 4, 5].map((n) => runSkipped(n, 'no heartbeat for 10 minutes', 1, later(600))),
          {
            type: 'ExecutionFinished',
            data: {
              executionId,
              status: 'FAILED',
              reason: 'no heartbeat for 10 minutes',
              summary: { total: 5, succeeded: 0, failed: 2, cancelled: 0, skipped: 3, durationMs: 600_000 },
              at: later(600)
            }
          }
        ]))
    it('fails it even while a cancel is pending', () => {
      const events = play([cancel, failExecution('lost')], midway)
      expect(events.at(-1)).toMatchObject({ type: 'ExecutionFinished', data: { status: 'FAILED', reason: 'lost' } })
    })
    it('fails a queued execution too', () => {
      const events = play([failExecution('lost')], threeDispatched)
      expect(events.at(-1)).toMatchObject({ type: 'ExecutionFinished', data: { status: 'FAILED', summary: { skipped: 3 } } })
    })
    it('refuses the late report of a worker it gave up on', () => spec(play([failExecution('lost')], midway)).when(finish(1)).thenRejects('StaleAttempt'))
    it('needs a reason', () => spec(midway).when(failExecution(' ')).thenRejects('InvalidInput', 'reason'))
    it('refuses an execution that was never requested', () => spec().when(failExecution('lost')).thenRejects('ExecutionNotFound'))
  })

  describe('when listing targets to run again', () => {
    it('names the failed, cancelled and skipped targets in the order given', () => {
      const events = play([start(1), start(2), finish(1), finish(2, 'FAILED')], play([request(4, { parallelism: 2, failurePolicy: 'STOP' })]))
      expect(failedTargets(stateOf(events))).toEqual([targets(4)[1], targets(4)[2], targets(4)[3]])
    })
    it('names nothing for an execution that all went well', () => expect(failedTargets(stateOf(play(runToEnd([1, 2, 3]), threeDispatched)))).toEqual([]))
    it('names nothing for an unknown execution', () => expect(failedTargets(executionDecider.initialState)).toEqual([]))
  })

  describe('when folding events it does not expect', () => {
    it('ignores events before the request', () => expect(stateOf([dispatched(1)])).toEqual({ status: 'absent' }))
    it('ignores events about unknown targets', () => {
      const state = stateOf([...threeDispatched, runStarted(42)])
      expect(state).toEqual(stateOf(threeDispatched))
    })
  })
})

