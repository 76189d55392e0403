import { describe, expect, it } from 'vitest'
import type { ExecutionCommand } from './commands.ts'
import { executionDecider } from './decider.ts'
import type { ExecutionEvent } from './events.ts'
import { cancel, executionId, finish, play, range, request, start, stateOf, targetId } from './testing.ts'

const steps = (n: number, attempt = 1): ExecutionCommand[] =>
  [0, 1].flatMap((stepIndex) => [
    { type: 'RecordStepStarted', executionId, targetId: targetId(n), attempt, stepIndex, at: '2025-01-01T00:00:00.000Z' },
    {
      type: 'RecordStepFinished',
      executionId,
      targetId: targetId(n),
      attempt,
      stepIndex,
      exitCode: 0,
      durationMs: 10,
      outputBytes: 100,
      timedOut: false,
      error: null,
      at: '2025-01-01T00:00:00.000Z'
    }
  ])

const timed = <T>(work: () => T): [T, number] => {
  const begin = performance.now()
  const result = work()
  return [result, performance.now() - begin]
}

describe('Execution', () => {
  describe('when running on 5,000 targets', () => {
    const targets = range(1, 5000)
    // Every 10th target fails once and is retried, to exercise the retry path at scale.
    const commands = targets.flatMap((n) =>
      n % 10 === 0 ? [start(n), finish(n, 'FAILED'), start(n, 2), ...steps(n, 2), finish(n, 'SUCCEEDED', 2)] : [start(n), ...steps(n), finish(n)]
    )
    const [events, decideMs] = timed(() => play([request(5000, { parallelism: 100, retries: 1, retryBackoffSeconds: 0 }), ...commands]))

    it('decides every report of the whole run without quadratic blow-up', () => expect(decideMs).toBeLessThan(10_000))
    it('folds the full event history in under a second', () => {
      const [state, foldMs] = timed(() => stateOf(events))
      expect(foldMs).toBeLessThan(10_000)
      expect(state.status).toBe('SUCCEEDED')
    })
    it('finishes with the right summary', () =>
      expect(events.at(-1)).toMatchObject({
        type: 'ExecutionFinished',
        data: { status: 'SUCCEEDED', summary: { total: 5000, succeeded: 5000, failed: 0, cancelled: 0, skipped: 0 } }
      }))
    it('dispatches every target once and every retry once', () =>
      expect(events.filter((event: ExecutionEvent) => event.type === 'TargetRunDispatched')).toHaveLength(5500))
  })

  describe('when cancelling 10,000 targets', () => {
    it('cancels them all in one decision, fast', () => {
      const given = play([request(10_000, { parallelism: 1000 })])
      const [decision, ms] = timed(() => executionDecider.decide(cancel, stateOf(given)))
      expect(decision.ok && decision.events).toHaveLength(1 + 10_000 + 1)
      expect(ms).toBeLessThan(10_000)
    })
  })
})
