import { Effect, Schedule } from 'effect'
import { executions, isTerminal, type RequestExecution } from '../domains/executions/index.ts'
import { holds, jobRuns, type ReleaseReason } from '../domains/job-runs/index.ts'
import type { JobConcurrency } from '../domains/jobs/index.ts'
import { ConcurrencyConflict } from './errors.ts'
import { handleCommand, refreshState, stepContext, type CommandContext } from './handler.ts'

/**
 * A slot whose execution still does not exist this long after the claim was left by a writer
 * that died between claiming and requesting; it is released so the job is not blocked forever.
 * Generous, since clocks of different machines drift and a request may wait out a bus hiccup.
 */
export const ABANDONED_AFTER_MS = 5 * 60_000

/** Every run of a busy job meets on its one stream: a conflict there is contention, retried (same command id, so idempotent). */
const persistently = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  effect.pipe(
    Effect.retry({
      while: (e) => e instanceof ConcurrencyConflict,
      schedule: Schedule.exponential('10 millis').pipe(Schedule.jittered, Schedule.upTo({ duration: '15 seconds' }))
    })
  )

export const releaseRun = (jobId: string, executionId: string, reason: ReleaseReason, context: CommandContext) =>
  persistently(handleCommand(jobRuns, { type: 'ReleaseRun', jobId, executionId, reason, at: context.now }, context))

export const startHeldExecution = (executionId: string, context: CommandContext) =>
  persistently(handleCommand(executions, { type: 'StartHeldExecution', executionId, at: context.now }, context))

const ageMs = (since: string, now: string): number => Date.parse(now) - Date.parse(since)

/**
 * Runs before a claim that would find every slot taken, and frees what no longer runs: a slot
 * whose execution finished (its release from the job-slots reactor is late or lost), or never came
 * to be (abandoned), is released; one whose execution still waits held is started. Reads each
 * execution's own stream, never a projection.
 */
const sweep = (concurrency: JobConcurrency, jobId: string, context: CommandContext) =>
  Effect.gen(function* () {
    const runs = yield* refreshState(jobRuns, jobId)
    if (runs.active.length < concurrency.max) return
    for (const { executionId, since } of runs.active) {
      const execution = yield* refreshState(executions, executionId)
      if (execution.status === 'absent') {
        if (ageMs(since, context.now) > ABANDONED_AFTER_MS) yield* releaseRun(jobId, executionId, 'ABANDONED', stepContext(context, `abandon-${executionId}`))
      } else if (isTerminal(execution)) yield* releaseRun(jobId, executionId, 'FINISHED', stepContext(context, `release-${executionId}`))
      else if (execution.held) yield* startHeldExecution(executionId, stepContext(context, `start-${executionId}`))
    }
  })

/**
 * Requests an execution under its job's concurrency policy. ALLOW: as it is. QUEUE and SKIP:
 * first a claim on the job's run stream — the expectation-guarded, race-free count — then the
 * request, held when the claim was queued. A refused SKIP claim fails with JobAlreadyRunning
 * and nothing is requested.
 */
export const requestUnderPolicy = (concurrency: JobConcurrency, request: RequestExecution, context: CommandContext) =>
  Effect.gen(function* () {
    if (concurrency.policy === 'ALLOW') return yield* handleCommand(executions, request, context)
    const { jobId, jobName, executionId } = request
    yield* sweep(concurrency, jobId, context)
    const claim = { type: 'ClaimRun', jobId, jobName, executionId, policy: concurrency.policy, max: concurrency.max, at: context.now } as const
    let claimed = yield* persistently(handleCommand(jobRuns, claim, stepContext(context, 'claim-run')))
    // A retry of a runJob whose claim landed but whose request did not: if a sweep has released
    // that claim as abandoned since (and maybe given the slot to another run), replaying the claim
    // holds nothing, and the execution must claim again rather than run without a slot.
    const claimHolds = holds(claimed.state.active, executionId) || holds(claimed.state.queue, executionId)
    if (!claimHolds && (yield* refreshState(executions, executionId)).status === 'absent')
      claimed = yield* persistently(handleCommand(jobRuns, claim, stepContext(context, 'claim-run-again')))
    const held = holds(claimed.state.queue, executionId)
    const requested = yield* handleCommand(executions, { ...request, held }, context)
    if (!held) return requested
    // The slot may have come between the claim and the request, when the reactor's start found
    // no execution yet: start it here (a start that finds it already released is a no-op).
    const runs = yield* refreshState(jobRuns, jobId)
    if (holds(runs.active, executionId)) yield* startHeldExecution(executionId, stepContext(context, 'start-held'))
    return requested
  })
