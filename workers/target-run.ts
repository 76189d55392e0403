import { Effect } from 'effect'
import { reportOnExecution } from '../commands/executions.ts'
import { refreshState } from '../commands/handler.ts'
import { executions, stepTimeoutFor, targetRunOf, type ExecutionCommand, type RunOutcome, type StepOutcome } from '../domains/executions/index.ts'
import type { WorkItem } from '../bus/index.ts'
import type { CommandServices } from '../runtime/platform.ts'
import { enqueueDispatched, type WorkOrder } from './dispatcher.ts'
import { renderStep, type StepResult, type TargetSession } from './executors/index.ts'
import { maskText, secretsOfRun } from './executors/masker.ts'
import { createOutputWriter } from './output-writer.ts'
import { connectionFor, openParameters, pinHostKey, workerContext, type WorkerDeps } from './run-context.ts'

export type WorkVerdict = 'done' | 'later' | 'dropped'

// How long a report of what already happened on a target is retried before the item is given back.
const REPORT_PATIENCE_MS = 10 * 60_000

const describeFailure = (index: number, r: StepResult): string | null => {
  if (r.error) return `step ${index + 1}: ${r.error}`
  if (r.timedOut) return `step ${index + 1} timed out`
  if (r.exitCode !== 0) return `step ${index + 1} exited with ${r.exitCode ?? r.signal ?? 'no exit code'}`
  return null
}

/**
 * One work item = one attempt of one target run: check it is still wanted, report the start,
 * connect, run the steps with live output, report each step and the end. Every report's
 * command id derives from the work id, so a redelivered item never doubles an event.
 */
export const runWorkOrder = async (order: WorkOrder, item: WorkItem, deps: WorkerDeps, cancel: AbortSignal): Promise<WorkVerdict> => {
  const run = <A, E>(effect: Effect.Effect<A, E, CommandServices>) => deps.commands.runPromise(Effect.result(effect))
  const report = async (command: ExecutionCommand, step: string) => {
    const outcome = await run(reportOnExecution(command, workerContext(deps, `${order.workId}/${step}`)))
    // A finish often frees a slot for the next target: hand its work out now rather than after
    // the sink and the dispatcher have seen the event (they still do, deduplicated by work id).
    if (outcome._tag === 'Success') await enqueueDispatched(deps.nc, deps.names, outcome.success.events).catch(() => undefined)
    return outcome
  }
  /**
   * A report that must not be lost: what the target did has happened. While the event store
   * cannot be reached, it is tried again (the item's heartbeats keep it ours meanwhile); a refusal
   * is an answer and returned at once. Only after REPORT_PATIENCE_MS does the failure escape, and
   * the item goes back to the queue.
   */
  const reportSurely = async (command: ExecutionCommand, step: string) => {
    const giveUpAt = Date.now() + REPORT_PATIENCE_MS
    for (let wait = 250; ; wait = Math.min(wait * 2, 10_000)) {
      const outcome = await report(command, step)
      if (outcome._tag === 'Success' || outcome.failure._tag === 'Rejected') return outcome
      if (Date.now() + wait > giveUpAt) throw outcome.failure
      await new Promise((r) => setTimeout(r, wait))
    }
  }
  const at = () => new Date().toISOString()
  const base = { executionId: order.executionId, targetId: order.targetId, attempt: order.attempt }

  if (order.notBefore && Date.parse(order.notBefore) > Date.now()) {
    item.retryLater(Math.min(Date.parse(order.notBefore) - Date.now(), 3_600_000))
    return 'later'
  }
  const loaded = await run(refreshState(executions, order.executionId))
  if (loaded._tag === 'Failure') throw loaded.failure
  const state = loaded.success
  const current = targetRunOf(state, order.targetId)
  if (state.status === 'absent' || !current || current.attempt !== order.attempt) return 'dropped'
  if (current.status === 'RUNNING') {
    // Started by a worker that vanished (this is a redelivery): the attempt is lost.
    if (item.deliveryCount > 1) await report({ type: 'InterruptTargetRun', ...base, reason: 'the worker running it stopped responding', at: at() }, 'interrupt')
    return 'dropped'
  }
  if (current.status !== 'PENDING') return 'dropped'
  const started = await report({ type: 'StartTargetRun', ...base, workerId: deps.workerId, at: at() }, 'start')
  if (started._tag === 'Failure') {
    // Refused: the attempt is not to run (cancelled, taken). Anything else: try the item again.
    if (started.failure._tag === 'Rejected') return 'dropped'
    item.retryLater(5_000)
    return 'later'
  }
  // The same start again (a second copy of this work item): another worker took this attempt.
  if (started.success.replayed) return 'dropped'

  // Failure texts can quote a rendered command or path, and they are stored in events: they are
  // masked like the output, with whatever secrets are known by then.
  let secrets: string[] = []
  const masked = (text: string | null) => (text === null || secrets.length === 0 ? text : maskText(secrets, text))
  const maskedStep = (step: StepOutcome | null) => (step ? { ...step, error: masked(step.error) } : null)
  const finish = async (outcome: RunOutcome, exitCode: number | null, reason: string | null, lastStep: StepOutcome | null = null) => {
    await reportSurely({ type: 'FinishTargetRun', ...base, outcome, exitCode, reason: masked(reason), lastStep: maskedStep(lastStep), at: at() }, 'finish')
    return 'done' as const
  }
  const connection = await run(connectionFor(order.targetId))
  if (connection._tag === 'Failure') return finish('FAILED', null, 'could not read the target or its credential')
  if (!connection.success.ok) return finish('FAILED', null, connection.success.reason)
  const parameters = await run(openParameters(state.request.parameters))
  if (parameters._tag === 'Failure') return finish('FAILED', null, 'could not open the secret parameters')
  secrets = secretsOfRun(parameters.success.secrets, connection.success.secret)

  let session: TargetSession
  try {
    session = await deps.executor.open(connection.success.target, connection.success.secret, {
      signal: cancel,
      mask: parameters.success.secrets,
      onHostKey: async (seen) => {
        const pinned = await run(pinHostKey(deps, order.targetId, seen, order.workId))
        return pinned._tag === 'Success' ? pinned.success : 'reject'
      }
    })
  } catch (error) {
    return finish(cancel.aborted ? 'CANCELLED' : 'FAILED', null, error instanceof Error ? error.message : 'could not connect')
  }
  const output = createOutputWriter(deps.nc, deps.names, base, (error) => deps.log('output publish failed', { error: String(error) }))
  try {
    const steps = state.request.steps
    for (let index = 0; index < steps.length; index++) {
      if (cancel.aborted) return await finish('CANCELLED', null, 'cancelled before step ' + (index + 1))
      // A refused step report means this attempt was interrupted (and maybe retried elsewhere):
      // it must not go on running steps beside its successor.
      const stepStarted = await reportSurely({ type: 'RecordStepStarted', ...base, stepIndex: index, at: at() }, `step-${index}-started`)
      if (stepStarted._tag === 'Failure') return 'dropped'
      let result: StepResult
      try {
        const spec = renderStep(steps[index]!, parameters.success.plain, index)
        const timeout = stepTimeoutFor(spec, state.request.options) ?? deps.defaultStepTimeoutSeconds
        result = await session.runStep(
          { ...spec, timeoutSeconds: timeout },
          { signal: cancel, onOutput: (chunk) => output.write(chunk, index), pressure: output.pressure }
        )
      } catch (error) {
        result = { exitCode: null, signal: null, timedOut: false, cancelled: false, durationMs: 0, outputBytes: 0, error: error instanceof Error ? error.message : 'step failed' }
      }
      await output.flush()
      const outcome: StepOutcome = {
        stepIndex: index, exitCode: result.exitCode, durationMs: Math.round(result.durationMs), outputBytes: result.outputBytes, timedOut: result.timedOut, error: result.error
      }
      // A step that ends the run is reported with the finish: one append instead of two.
      if (result.cancelled) return await finish('CANCELLED', result.exitCode, 'cancelled', outcome)
      const failure = describeFailure(index, result)
      if (failure) return await finish('FAILED', result.exitCode, failure, outcome)
      if (index === steps.length - 1) return await finish('SUCCEEDED', 0, null, outcome)
      const stepFinished = await reportSurely({ type: 'RecordStepFinished', ...base, ...maskedStep(outcome)!, at: at() }, `step-${index}-finished`)
      if (stepFinished._tag === 'Failure') return 'dropped'
    }
    return await finish('SUCCEEDED', 0, null)
  } finally {
    await output.flush()
    await session.close().catch(() => undefined)
  }
}
