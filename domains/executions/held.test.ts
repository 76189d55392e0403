import { describe, expect, it } from 'vitest'
import { specFor } from '../shared/testing.ts'
import { executionDecider } from './decider.ts'
import type { ExecutionEvent } from './events.ts'
import { isTerminal } from './state.ts'
import {
  at,
  cancel,
  dispatched,
  executionId,
  executionStarted,
  failExecution,
  heldRequest,
  operator,
  play,
  released,
  request,
  requested,
  runCancelled,
  runSkipped,
  runStarted,
  start,
  startHeld,
  stateOf
} from './testing.ts'

const spec = specFor(executionDecider)
const later = '2025-01-01T00:01:00.000Z'
const held = play([heldRequest(3, { parallelism: 2 })])
const summary = (cancelled: number, skipped = 0) => ({ total: 3, succeeded: 0, failed: 0, cancelled, skipped, durationMs: 0 })

/** Executions requested held: the job's concurrency policy queued them behind other runs of the job. */
describe('Execution', () => {
  describe('when requested held', () => {
    it('records the request and dispatches nothing', () => spec().when(heldRequest(3, { parallelism: 2 })).then([requested(3, { parallelism: 2 }, true)]))
    it('records an ordinary request as not held', () => spec().when(request(1)).then([requested(1), dispatched(1)]))
    it('stays QUEUED', () => expect(stateOf(held).status).toBe('QUEUED'))
    it('ignores the same request sent again', () => spec(held).when(heldRequest(3, { parallelism: 2 })).thenNothing())
    it('ignores the request sent again unheld (the slot came meanwhile)', () => spec(held).when(request(3, { parallelism: 2 })).thenNothing())
    it('refuses a worker that starts a target before the release', () => spec(held).when(start(1)).thenRejects('StaleAttempt', 'attempt'))
    it('rejects a held flag that is not true or false', () => spec().when({ ...heldRequest(1), held: 'yes' as never }).thenRejects('InvalidInput', 'held'))
  })

  describe('when a held execution is started', () => {
    it('releases it and dispatches up to the parallelism', () =>
      spec(held).when(startHeld(later)).then([released(later), dispatched(1, 1, null, later), dispatched(2, 1, null, later)]))
    it('then runs like any other', () =>
      spec(play([startHeld()], held)).when(start(1)).then([executionStarted(), runStarted(1)]))
    it('ignores a second start', () => spec(play([startHeld()], held)).when(startHeld(later)).thenNothing())
    it('ignores a start of an execution that was never held', () => spec(play([request(1)])).when(startHeld()).thenNothing())
    it('ignores a start after it was cancelled', () => spec(play([cancel], held)).when(startHeld()).thenNothing())
    it('refuses an execution that was never requested', () => spec().when(startHeld()).thenRejects('ExecutionNotFound'))
    it('rejects a malformed time', () => spec(held).when({ type: 'StartHeldExecution', executionId, at: 'now' }).thenRejects('InvalidInput', 'at'))
  })

  describe('when a held execution is cancelled', () => {
    it('cancels every target at once and finishes CANCELLED', () =>
      spec(held)
        .when(cancel)
        .then([
          { type: 'ExecutionCancelRequested', data: { executionId, requestedBy: operator, at } },
          runCancelled(1),
          runCancelled(2),
          runCancelled(3),
          { type: 'ExecutionFinished', data: { executionId, status: 'CANCELLED', reason: null, summary: summary(3), at } } satisfies ExecutionEvent
        ]))
    it('is terminal afterwards', () => expect(isTerminal(stateOf(play([cancel], held)))).toBe(true))
  })

  describe('when the watchdog gives a held execution up', () => {
    it('skips every target and finishes FAILED', () =>
      spec(held)
        .when(failExecution('lost'))
        .then([
          runSkipped(1, 'lost'),
          runSkipped(2, 'lost'),
          runSkipped(3, 'lost'),
          { type: 'ExecutionFinished', data: { executionId, status: 'FAILED', reason: 'lost', summary: summary(0, 3), at } }
        ]))
  })

  describe('when folding events from before holding existed', () => {
    it('reads a request without the held flag as not held', () => {
      const { held: _held, ...legacy } = requested(1).data
      const state = stateOf([{ type: 'ExecutionRequested', data: legacy }])
      expect(state.status !== 'absent' && state.held).toBe(false)
    })
  })
})
