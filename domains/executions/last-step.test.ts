import { describe, expect, it } from 'vitest'
import { executionDecider } from './decider.ts'
import type { ExecutionCommand, ExecutionEvent, StepOutcome } from './index.ts'
import { at, dispatched, executionId, executionStarted, requested, runStarted, targetId } from './testing.ts'

const fold = (events: ReadonlyArray<ExecutionEvent>) => events.reduce(executionDecider.evolve, executionDecider.initialState)

const running = (): ExecutionEvent[] => [
  requested(2, { parallelism: 2 }),
  dispatched(1),
  dispatched(2),
  executionStarted(),
  runStarted(1),
  { type: 'StepStarted', data: { executionId, targetId: targetId(1), attempt: 1, stepIndex: 0, at } }
]

const step: StepOutcome = { stepIndex: 0, exitCode: 0, durationMs: 12, outputBytes: 6, timedOut: false, error: null }
const base = { executionId, targetId: targetId(1), attempt: 1, at }
const finish: ExecutionCommand = { type: 'FinishTargetRun', ...base, outcome: 'SUCCEEDED', exitCode: 0, reason: null }

const eventsOf = (decision: ReturnType<typeof executionDecider.decide>) => {
  if (!decision.ok) throw new Error(decision.rejection.message)
  return decision.events
}

describe('Execution', () => {
  describe('when a worker finishes a target with its last step in the same report', () => {
    it('decides exactly what a step report followed by a finish would', () => {
      const state = fold(running())
      const separate = eventsOf(executionDecider.decide({ type: 'RecordStepFinished', ...base, ...step }, state))
      const thenFinish = eventsOf(executionDecider.decide(finish, fold([...running(), ...separate])))
      const combined = eventsOf(executionDecider.decide({ ...finish, lastStep: step } as ExecutionCommand, state))
      expect(combined).toEqual([...separate, ...thenFinish])
      expect(combined.map((e) => e.type)).toEqual(['StepFinished', 'TargetRunFinished'])
    })

    it('does nothing when the same combined report comes again', () => {
      const combined = eventsOf(executionDecider.decide({ ...finish, lastStep: step } as ExecutionCommand, fold(running())))
      expect(eventsOf(executionDecider.decide({ ...finish, lastStep: step } as ExecutionCommand, fold([...running(), ...combined])))).toEqual([])
    })

    it('refuses the whole report when the step part is wrong', () => {
      const decision = executionDecider.decide({ ...finish, lastStep: { ...step, stepIndex: 5 } } as ExecutionCommand, fold(running()))
      expect(decision.ok).toBe(false)
    })
  })
})
