/**
 * Fixtures for the execution specs: commands and events in the business's words. Test-only:
 * imported from `*.test.ts` files, never from domain code.
 */
import type { JobStep } from '../jobs/index.ts'
import type { CancelExecution, ExecutionOptionsInput, FinishTargetRun, RequestExecution, RunOutcome } from './commands.ts'
import { executionDecider } from './decider.ts'
import type { ExecutionEvent, ExecutionRequested } from './events.ts'
import { normalizeExecutionOptions } from './options.ts'
import type { ExecutionCommand } from './commands.ts'
import type { ExecutionState } from './state.ts'

export const executionId = '5d6e7f80-1a2b-4c3d-8e4f-5a6b7c8d9e0f'
export const jobId = 'b7e1c2d3-4f5a-4b6c-8d7e-9f0a1b2c3d4e'
export const at = '2025-01-01T00:00:00.000Z'
export const operator = { kind: 'user', id: 'u-1', name: 'alice' } as const
export const steps: JobStep[] = [
  { name: 'stop', kind: 'COMMAND', command: 'systemctl stop {{service}}', timeoutSeconds: null },
  { name: 'start', kind: 'COMMAND', command: 'systemctl start {{service}}', timeoutSeconds: 60 }
]
export const sealedPassword = { sealed: true, keyId: '11111111-2222-4333-8444-555555555555', iv: 'AAECAwQFBgcICQoL', ciphertext: 'c2VhbGVk', authTag: 'AAECAwQFBgcICQoLDA0ODw==' } as const

/** Target n (1-based): a UUID that reads as its number, and a host name. */
export const targetId = (n: number): string => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`
export const targets = (count: number) => Array.from({ length: count }, (_, i) => ({ targetId: targetId(i + 1), name: `web-${i + 1}` }))
export const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i)

export const request = (count: number, options: ExecutionOptionsInput = {}): RequestExecution => ({
  type: 'RequestExecution',
  executionId,
  jobId,
  jobVersion: 3,
  jobName: 'Restart nginx',
  steps,
  parameters: { service: 'nginx', password: sealedPassword },
  targets: targets(count),
  options,
  requestedBy: operator,
  at
})

export const requested = (count: number, options: ExecutionOptionsInput = {}, held = false): ExecutionRequested => {
  const normalized = normalizeExecutionOptions(options)
  if (!normalized.ok) throw new Error(normalized.message)
  const { type: _type, options: _options, held: _held, ...rest } = request(count, options)
  return { type: 'ExecutionRequested', data: { ...rest, options: normalized.options, held } }
}

/** Requested held: its concurrency policy queued it behind other runs of the job. */
export const heldRequest = (count: number, options: ExecutionOptionsInput = {}): RequestExecution => ({ ...request(count, options), held: true })
export const startHeld = (when = at): ExecutionCommand => ({ type: 'StartHeldExecution', executionId, at: when })
export const released = (when = at): ExecutionEvent => ({ type: 'ExecutionReleased', data: { executionId, at: when } })

const of = (n: number, attempt: number, when: string) => ({ executionId, targetId: targetId(n), attempt, at: when })

export const dispatched = (n: number, attempt = 1, notBefore: string | null = null, when = at): ExecutionEvent => ({
  type: 'TargetRunDispatched',
  data: { ...of(n, attempt, when), notBefore, workId: `${executionId}:${targetId(n)}:${attempt}` }
})
export const executionStarted = (when = at): ExecutionEvent => ({ type: 'ExecutionStarted', data: { executionId, at: when } })
export const runStarted = (n: number, attempt = 1, workerId = 'worker-1', when = at): ExecutionEvent => ({
  type: 'TargetRunStarted',
  data: { ...of(n, attempt, when), workerId }
})
export const runFinished = (n: number, status: RunOutcome = 'SUCCEEDED', attempt = 1, exitCode: number | null = 0, reason: string | null = null, when = at): ExecutionEvent => ({
  type: 'TargetRunFinished',
  data: { ...of(n, attempt, when), status, exitCode, reason }
})
export const retryScheduled = (n: number, attempt: number, notBefore: string | null, when = at): ExecutionEvent => ({
  type: 'TargetRunRetryScheduled',
  data: { ...of(n, attempt, when), notBefore }
})
export const interrupted = (n: number, attempt: number, reason: string, when = at): ExecutionEvent => ({
  type: 'TargetRunInterrupted',
  data: { ...of(n, attempt, when), reason }
})
export const runCancelled = (n: number, attempt = 1, when = at): ExecutionEvent => ({ type: 'TargetRunCancelled', data: of(n, attempt, when) })
export const runSkipped = (n: number, reason: string, attempt = 1, when = at): ExecutionEvent => ({ type: 'TargetRunSkipped', data: { ...of(n, attempt, when), reason } })

// Worker reports.
export const start = (n: number, attempt = 1, workerId = 'worker-1', when = at): ExecutionCommand => ({
  type: 'StartTargetRun',
  executionId,
  targetId: targetId(n),
  attempt,
  workerId,
  at: when
})
export const finish = (n: number, outcome: RunOutcome = 'SUCCEEDED', attempt = 1, more: Partial<FinishTargetRun> = {}): ExecutionCommand => ({
  type: 'FinishTargetRun',
  executionId,
  targetId: targetId(n),
  attempt,
  outcome,
  exitCode: outcome === 'SUCCEEDED' ? 0 : outcome === 'FAILED' ? 1 : null,
  reason: null,
  at,
  ...more
})
export const interrupt = (n: number, attempt = 1, reason = 'worker lost', when = at): ExecutionCommand => ({
  type: 'InterruptTargetRun',
  executionId,
  targetId: targetId(n),
  attempt,
  reason,
  at: when
})
export const cancel: CancelExecution = { type: 'CancelExecution', executionId, requestedBy: operator, at }
export const failExecution = (reason: string, when = at): ExecutionCommand => ({ type: 'FailExecution', executionId, reason, at: when })

/** Plays commands through decide and evolve as the command handler would; a rejection is a broken spec. */
export const play = (commands: ReadonlyArray<ExecutionCommand>, given: ReadonlyArray<ExecutionEvent> = []): ExecutionEvent[] => {
  const events = [...given]
  let state: ExecutionState = events.reduce(executionDecider.evolve, executionDecider.initialState)
  for (const command of commands) {
    const decision = executionDecider.decide(command, state)
    if (!decision.ok) throw new Error(`${command.type} rejected: ${decision.rejection._tag}: ${decision.rejection.message}`)
    for (const event of decision.events) {
      events.push(event)
      state = executionDecider.evolve(state, event)
    }
  }
  return events
}

/** Start, then finish every listed target. */
export const runToEnd = (ns: ReadonlyArray<number>, outcome: RunOutcome = 'SUCCEEDED'): ExecutionCommand[] => ns.flatMap((n) => [start(n), finish(n, outcome)])

export const stateOf = (events: ReadonlyArray<ExecutionEvent>): ExecutionState => events.reduce(executionDecider.evolve, executionDecider.initialState)
