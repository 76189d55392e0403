import { Effect, Schedule } from 'effect'
import {
  executions,
  failedTargets,
  MAX_TARGETS,
  normalizeExecutionOptions,
  type ExecutionCommand,
  type ExecutionOptionsInput,
  type ExecutionParameterValue,
  type RequestExecution,
  type Requester
} from '../domains/executions/index.ts'
import { DEFAULT_CONCURRENCY, jobs, validateRunParameters } from '../domains/jobs/index.ts'
import { invalidInput, notFound, invalidState } from '../domains/shared/index.ts'
import { ConcurrencyConflict, Rejected } from './errors.ts'
import { handleCommand, refreshState, type CommandContext } from './handler.ts'
import { idFromCommand } from './ids.ts'
import { Inventory } from './inventory.ts'
import { requestUnderPolicy } from './job-slots.ts'
import { Vault } from './secrets.ts'

export interface RunJobInput {
  readonly jobId: string
  readonly targetIds?: ReadonlyArray<string> | null
  readonly targetFilter?: string | null
  readonly parameters?: unknown
  readonly options?: ExecutionOptionsInput | null
}

const refuse = (rejection: Rejected['rejection']) => Effect.fail(new Rejected({ rejection }))

const requesterOf = (context: CommandContext): Requester => ({ kind: context.actor.kind, id: context.actor.id, name: context.actor.name })

/**
 * runJob: validates parameters against the job's current version, resolves the targets once,
 * seals SECRET values (they never reach an event in plain text), then requests the execution.
 */
export const runJob = (input: RunJobInput, context: CommandContext) =>
  Effect.gen(function* () {
    if ((input.targetIds == null || input.targetIds.length === 0) && (input.targetFilter == null || input.targetFilter.trim() === '')) {
      return yield* refuse(invalidInput('targetIds', 'give targetIds or a targetFilter'))
    }
    // Caught up with the bus: another process may have archived or revised the job a moment ago.
    const job = yield* refreshState(jobs, input.jobId)
    if (job.status === 'absent') return yield* refuse({ ...notFound('job', input.jobId), field: 'jobId' })
    if (job.status === 'archived') return yield* refuse(invalidState(`job ${job.definition.name} is archived`))
    const values = validateRunParameters(job.definition.parameters, input.parameters)
    if (!values.ok) return yield* refuse(values)
    const options = normalizeExecutionOptions(input.options ?? {})
    if (!options.ok) return yield* refuse(options)
    const targets = yield* (yield* Inventory).resolve({ targetIds: input.targetIds, targetFilter: input.targetFilter }, MAX_TARGETS)
    const executionId = idFromCommand(context.commandId, 'execution')
    const vault = yield* Vault
    const parameters: Record<string, ExecutionParameterValue> = {}
    for (const p of job.definition.parameters) {
      const value = values.values[p.name]
      if (value === undefined) continue
      parameters[p.name] = p.type === 'SECRET' ? { sealed: true, ...(yield* vault.seal(executionId, String(value))) } : value
    }
    const request: RequestExecution = {
      type: 'RequestExecution',
      executionId,
      jobId: input.jobId,
      jobVersion: job.version,
      jobName: job.definition.name,
      steps: job.definition.steps,
      parameters,
      targets,
      options: options.options,
      requestedBy: requesterOf(context),
      at: context.now
    }
    return yield* requestUnderPolicy(job.definition.concurrency, request, context)
  })

/**
 * A new execution of exactly what an earlier one ran (same job version, steps, parameters —
 * sealed values stay sealed — and options), on all its targets or only those that did not succeed.
 * It takes its turn under the job's current concurrency policy, like any other run.
 */
export const rerunExecution = (executionId: string, onlyFailed: boolean, context: CommandContext) =>
  Effect.gen(function* () {
    const earlier = yield* refreshState(executions, executionId)
    if (earlier.status === 'absent') return yield* refuse({ ...notFound('execution', executionId), field: 'id' })
    const targets = onlyFailed ? failedTargets(earlier) : earlier.request.targets
    if (targets.length === 0) return yield* refuse(invalidState('every target of that execution succeeded: nothing to re-run'))
    const { executionId: _, at: __, held: ___, ...request } = earlier.request
    const job = yield* refreshState(jobs, request.jobId)
    const concurrency = job.status === 'absent' ? DEFAULT_CONCURRENCY : job.definition.concurrency
    return yield* requestUnderPolicy(
      concurrency,
      { ...request, type: 'RequestExecution', executionId: idFromCommand(context.commandId, 'execution'), targets, requestedBy: requesterOf(context), at: context.now },
      context
    )
  })

export const cancelExecution = (executionId: string, context: CommandContext) =>
  handleCommand(executions, { type: 'CancelExecution', executionId, requestedBy: requesterOf(context), at: context.now }, context)

/**
 * A worker's report about its attempt. Many workers report on one execution at once, so a
 * conflict is retried for longer than an interactive command would be; the command id keeps
 * the retries idempotent.
 */
export const reportOnExecution = (command: ExecutionCommand, context: CommandContext) =>
  handleCommand(executions, command, context).pipe(
    Effect.retry({
      while: (e) => e instanceof ConcurrencyConflict,
      schedule: Schedule.exponential('5 millis').pipe(Schedule.jittered, Schedule.upTo({ duration: '30 seconds' }))
    })
  )
