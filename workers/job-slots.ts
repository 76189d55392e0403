import { Effect } from 'effect'
import { loadState, type CommandContext } from '../commands/handler.ts'
import { releaseRun, startHeldExecution } from '../commands/job-slots.ts'
import { executions } from '../domains/executions/index.ts'
import type { RunClaimed } from '../domains/job-runs/index.ts'
import type { RecordedEvent } from '../domains/shared/index.ts'
import { runReactor } from '../projections/reactor.ts'
import { executionsByIds } from '../projections/queries/executions.ts'
import type { CommandServices, Platform } from '../runtime/platform.ts'

const JOB_SLOTS_LOCK = 7_311_012

/** Command ids come from the event id, so a replay after a crash repeats the same commands (no-ops). */
const reacting = (event: RecordedEvent, step: string): CommandContext => ({
  commandId: `${event.id}/${step}`,
  actor: { kind: 'system', id: 'job-slots', name: 'job-slots' },
  correlationId: event.meta.correlationId,
  causationId: event.id,
  now: new Date().toISOString(),
  awaitCommittedMs: 0
})

/**
 * Keeps job concurrency slots moving: a finished execution gives its slot back (or, cancelled
 * while it waited, its queue place), and an execution that got its slot from the queue starts.
 * At-least-once and idempotent; the decisions themselves live in the job-runs domain.
 */
export const runJobSlots = (o: { platform: Platform; databaseUrl: string; log: (m: string) => void; signal: AbortSignal }) => {
  const run = <A, E>(effect: Effect.Effect<A, E, CommandServices>) => o.platform.commands.runPromise(Effect.result(effect))

  /** The job of each execution: immutable, and in the executions table before its events reach a reactor. */
  const jobsOf = async (executionIds: ReadonlyArray<string>): Promise<Map<string, string>> => {
    const rows = executionIds.length === 0 ? [] : await executionsByIds(o.platform.pool, executionIds)
    const found = new Map(rows.map((row) => [row.id, row.job_id]))
    for (const id of executionIds.filter((id) => !found.has(id))) {
      const state = await o.platform.commands.runPromise(loadState(executions, id))
      if (state.status !== 'absent') found.set(id, state.request.jobId)
    }
    return found
  }

  const release = async (event: RecordedEvent, jobId: string | undefined) => {
    const { executionId } = event.data as { executionId: string }
    if (jobId === undefined) return o.log(`job-slots: no request found for finished execution ${executionId}; nothing to release`)
    const outcome = await run(releaseRun(jobId, executionId, 'FINISHED', reacting(event, 'release')))
    if (outcome._tag === 'Failure') throw new Error(`releasing the slot of execution ${executionId}: ${outcome.failure.message}`)
  }

  const start = async (event: RecordedEvent) => {
    const { executionId, queuedAt } = event.data as RunClaimed['data']
    // Only a slot handed over from the queue starts a held execution; a direct claim precedes its request.
    if (queuedAt === null) return
    const outcome = await run(startHeldExecution(executionId, reacting(event, 'start')))
    if (outcome._tag === 'Success') return
    const { failure } = outcome
    // Not requested yet: its runJob is between claim and request, and starts it itself once requested.
    if (failure._tag === 'Rejected' && failure.rejection._tag === 'ExecutionNotFound') return o.log(`job-slots: execution ${executionId} got its slot before its request landed`)
    throw new Error(`starting held execution ${executionId}: ${failure.message}`)
  }

  return runReactor({
    name: 'job-slots',
    lockId: JOB_SLOTS_LOCK,
    types: ['ExecutionFinished', 'RunClaimed'],
    databaseUrl: o.databaseUrl,
    log: o.log,
    signal: o.signal,
    handle: async (events) => {
      const finished = events.filter((e) => e.type === 'ExecutionFinished').map((e) => (e.data as { executionId: string }).executionId)
      const jobs = await jobsOf(finished)
      // In order: a release may hand a slot to a run whose start comes later in the same batch.
      for (const event of events) {
        if (event.type === 'ExecutionFinished') await release(event, jobs.get((event.data as { executionId: string }).executionId))
        else await start(event)
      }
    }
  })
}
