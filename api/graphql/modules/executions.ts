import type { GraphQLResolveInfo } from 'graphql'
import type { CommandResult } from '../../../commands/handler.ts'
import type { ExecutionState } from '../../../domains/executions/index.ts'
import { cancelExecution, rerunExecution, runJob } from '../../../commands/executions.ts'
import { executionsByIds, queryExecutions, type ExecutionView } from '../../../projections/queries/executions.ts'
import { readOutput } from '../../../projections/output-store.ts'
import type { TargetRunRow } from '../../../projections/read-models/target-runs.ts'
import type { ApiContext } from '../context.ts'
import { badInput, readModel, renamingField } from '../errors.ts'
import type { ApiModule } from '../module.ts'
import { commandOptions, connection, first, optionalUuidArg, readBack, uuidArg, type CommandArgs } from '../resolve.ts'
import { executionOutputSubscription, executionUpdatedSubscription, toOutputChunk } from '../../subscriptions/executions.ts'
import { MAX_FIELD_BYTES, runOutputPreview } from '../../execution-output.ts'
import { MAX_LIST_WINDOW } from '../plugins/limits.ts'

const typeDefs = /* GraphQL */ `
  enum ExecutionStatus { QUEUED RUNNING SUCCEEDED FAILED CANCELLED }
  enum TargetRunStatus { PENDING RUNNING SUCCEEDED FAILED CANCELLED SKIPPED }
  enum FailurePolicy { CONTINUE STOP }
  enum OutputStream { STDOUT STDERR }

  type TargetRun {
    "The target; when it was removed since, as it was just before."
    target: Target!
    targetId: ID!
    targetName: String!
    status: TargetRunStatus!
    attempt: Int!
    exitCode: Int
    reason: String
    startedAt: DateTime
    finishedAt: DateTime
    outputBytes: Float!
    """
    The run's output (latest attempt), at most maxBytes from the start; when longer, it ends with
    a marker line saying how much was left out and where to download the whole log.
    """
    output(maxBytes: Int = 65536): String
  }
  type ExecutionSummary { total: Int!  succeeded: Int!  failed: Int!  cancelled: Int!  skipped: Int!  running: Int!  pending: Int! }
  type Execution {
    id: ID!
    "The job version that ran."
    job: Job!
    jobVersion: Int!
    jobName: String!
    status: ExecutionStatus!
    """
    The execution's target runs, in the order the targets were given: all of them (up to 10,000),
    or a window (first/offset); status / targetId: only runs with this status / on this target.
    """
    targets(status: TargetRunStatus, targetId: ID, first: Int, offset: Int = 0): [TargetRun!]!
    summary: ExecutionSummary!
    options: JSON!
    requestedBy: JSON!
    cancelRequested: Boolean!
    reason: String
    createdAt: DateTime!
    startedAt: DateTime
    finishedAt: DateTime
  }
  type ExecutionEdge { node: Execution! }
  type ExecutionConnection { edges: [ExecutionEdge!]!  pageInfo: PageInfo!  totalCount: Int! }
  type OutputChunk { executionId: ID!  targetId: ID!  attempt: Int!  seq: Int!  stepIndex: Int!  stream: OutputStream!  text: String! }

  type Query {
    execution(id: ID!): Execution
    "Newest first. targetId: only executions that ran on this target."
    executions(jobId: ID, status: ExecutionStatus, targetId: ID, first: Int = 50, after: String): ExecutionConnection!
    "A page of a target run's output (latest attempt unless given): chunks after afterSeq, at most maxBytes."
    executionOutput(executionId: ID!, targetId: ID!, attempt: Int, afterSeq: Int = 0, maxBytes: Int = 1048576): [OutputChunk!]!
  }
  type Mutation {
    """
    Runs the job's current version on targetIds and/or every target matching targetFilter (resolved
    once, now). parameters: an object of the job's typed parameters (SECRET values are sealed at
    once and never stored in plain text). batchSize / batchPercent: rolling batches.
    """
    runJob(jobId: ID!, targetIds: [ID!], targetFilter: String, parameters: JSON, parallelism: Int,
           batchSize: Int, batchPercent: Int, failurePolicy: FailurePolicy, maxFailedPercent: Int,
           retries: Int, retryBackoffSeconds: Int, stepTimeoutSeconds: Int, commandId: ID): Execution!
    "Pending targets are cancelled at once; running remote processes are killed (TERM, then KILL)."
    cancelExecution(id: ID!, commandId: ID): Execution!
    "A new execution of the same job version and parameters; onlyFailed: just the targets that failed, were cancelled or skipped."
    rerunExecution(id: ID!, onlyFailed: Boolean = true, commandId: ID): Execution!
  }
  type Subscription {
    "The execution now, then again after every change (bursts are coalesced)."
    executionUpdated(id: ID!): Execution! @auth(requires: VIEWER)
    "One target run's output: everything stored after the seq \`after\`, then live, in order, without gaps or duplicates."
    executionOutput(executionId: ID!, targetId: ID!, after: Int): OutputChunk! @auth(requires: VIEWER)
  }
`

type Info = GraphQLResolveInfo

interface RunJobArgs extends CommandArgs {
  readonly jobId: string
  readonly targetIds?: ReadonlyArray<string> | null
  readonly targetFilter?: string | null
  readonly parameters?: unknown
  readonly parallelism?: number | null
  readonly batchSize?: number | null
  readonly batchPercent?: number | null
  readonly failurePolicy?: 'CONTINUE' | 'STOP' | null
  readonly maxFailedPercent?: number | null
  readonly retries?: number | null
  readonly retryBackoffSeconds?: number | null
  readonly stepTimeoutSeconds?: number | null
}

const batchOf = (args: RunJobArgs) => {
  if (args.batchSize != null && args.batchPercent != null) throw badInput('batchSize', 'give batchSize or batchPercent, not both')
  if (args.batchSize != null) return { count: args.batchSize }
  if (args.batchPercent != null) return { percent: args.batchPercent }
  return null
}

/**
 * What the command decided, for an answer that must not wait for the read model any longer
 * (the change is accepted, not yet durable, and the answer says so). Its target runs show once
 * the read model has them.
 */
const fromState = (state: ExecutionState): ExecutionView | null => {
  if (state.status === 'absent') return null
  const { request, counts } = state
  return {
    id: request.executionId, job_id: request.jobId, job_version: request.jobVersion, job_name: request.jobName, status: state.status,
    requested_by: request.requestedBy, options: request.options, target_count: request.targets.length,
    succeeded: counts.SUCCEEDED, failed: counts.FAILED, cancelled: counts.CANCELLED, skipped: counts.SKIPPED,
    running: counts.RUNNING, pending: counts.PENDING + counts.DISPATCHED, cancel_requested: state.cancelRequested,
    reason: state.halted?.reason ?? null, created_at: request.at, started_at: state.startedAt, finished_at: state.finishedAt, position: 0
  }
}

const executionAfter = (ctx: ApiContext, result: CommandResult<ExecutionState>, id: string) =>
  readBack(result, async () => first(await executionsByIds(ctx.platform.pool, [id])), () => fromState(result.state), 'execution', id)

const statusOfRun = (r: TargetRunRow) => (r.status === 'DISPATCHED' ? 'PENDING' : r.status)

export const executionsModule: ApiModule = {
  typeDefs,
  resolvers: {
    Execution: {
      job: (e: ExecutionView, _: unknown, ctx: ApiContext) => ctx.loaders.jobVersion(`${e.job_id}@${e.job_version}`),
      jobVersion: (e: ExecutionView) => e.job_version,
      jobName: (e: ExecutionView) => e.job_name,
      targets: (e: ExecutionView, args: { status?: string | null; targetId?: string | null; first?: number | null; offset: number }, ctx: ApiContext) => {
        const first = args.first ?? MAX_LIST_WINDOW
        if (first < 1 || first > MAX_LIST_WINDOW) throw badInput('first', `must be from 1 to ${MAX_LIST_WINDOW}`)
        if (args.offset < 0) throw badInput('offset', 'must be 0 or more')
        const targetId = optionalUuidArg(args.targetId, 'targetId')
        return ctx.loaders.targetRuns(e.id, { status: args.status ?? null, targetId, first, offset: args.offset })
      },
      summary: (e: ExecutionView) => ({
        total: e.target_count, succeeded: e.succeeded, failed: e.failed, cancelled: e.cancelled, skipped: e.skipped, running: e.running, pending: e.pending
      }),
      requestedBy: (e: ExecutionView) => e.requested_by,
      cancelRequested: (e: ExecutionView) => e.cancel_requested,
      createdAt: (e: ExecutionView) => e.created_at,
      startedAt: (e: ExecutionView) => e.started_at,
      finishedAt: (e: ExecutionView) => e.finished_at
    },
    TargetRun: {
      target: async (r: TargetRunRow, _: unknown, ctx: ApiContext) => (await ctx.loaders.target(r.target_id)) ?? ctx.loaders.removedTarget(r.target_id),
      targetId: (r: TargetRunRow) => r.target_id,
      targetName: (r: TargetRunRow) => r.target_name,
      status: statusOfRun,
      exitCode: (r: TargetRunRow) => r.exit_code,
      startedAt: (r: TargetRunRow) => r.started_at,
      finishedAt: (r: TargetRunRow) => r.finished_at,
      outputBytes: (r: TargetRunRow) => Number(r.output_bytes),
      output: (r: TargetRunRow, args: { maxBytes: number }, ctx: ApiContext) => {
        if (args.maxBytes < 1 || args.maxBytes > MAX_FIELD_BYTES) throw badInput('maxBytes', `must be from 1 to ${MAX_FIELD_BYTES}`)
        return runOutputPreview(ctx.platform.pool, r.execution_id, r.target_id, args.maxBytes, ctx.outputBudget)
      }
    },
    Query: {
      execution: async (_: unknown, args: { id: string }, ctx: ApiContext) => first(await executionsByIds(ctx.platform.pool, [uuidArg(args.id, 'id')])),
      executions: (
        _: unknown,
        args: { jobId?: string | null; status?: string | null; targetId?: string | null; first: number; after?: string | null },
        ctx: ApiContext
      ) => {
        const filter = { jobId: optionalUuidArg(args.jobId, 'jobId'), status: args.status ?? null, targetId: optionalUuidArg(args.targetId, 'targetId') }
        return readModel(() => queryExecutions(ctx.platform.pool, { ...filter, first: args.first, after: args.after ?? null })).then(connection)
      },
      executionOutput: async (
        _: unknown,
        args: { executionId: string; targetId: string; attempt?: number | null; afterSeq: number; maxBytes: number },
        ctx: ApiContext
      ) => {
        const executionId = uuidArg(args.executionId, 'executionId')
        const targetId = uuidArg(args.targetId, 'targetId')
        if (args.maxBytes < 1 || args.maxBytes > MAX_FIELD_BYTES) throw badInput('maxBytes', `must be from 1 to ${MAX_FIELD_BYTES}`)
        const chunks = await readOutput(ctx.platform.pool, executionId, targetId, {
          ...(args.attempt != null ? { attempt: args.attempt } : {}),
          afterSeq: args.afterSeq,
          maxBytes: args.maxBytes
        })
        return chunks.map((c) => toOutputChunk(executionId, targetId, c))
      }
    },
    Mutation: {
      runJob: async (_: unknown, args: RunJobArgs, ctx: ApiContext, info: Info) => {
        const jobId = uuidArg(args.jobId, 'jobId')
        const targetIds = (args.targetIds ?? []).map((id, i) => uuidArg(id, `targetIds[${i}]`))
        const options = {
          parallelism: args.parallelism, batchSize: batchOf(args), failurePolicy: args.failurePolicy, maxFailedPercent: args.maxFailedPercent,
          retries: args.retries, retryBackoffSeconds: args.retryBackoffSeconds, stepTimeoutSeconds: args.stepTimeoutSeconds
        }
        const result = await ctx
          .runCommand((c) => runJob({ jobId, targetIds, targetFilter: args.targetFilter ?? null, parameters: args.parameters, options }, c), commandOptions(args, info))
          .catch(renamingField('batchSize.percent', 'batchPercent'))
        return executionAfter(ctx, result, result.id)
      },
      cancelExecution: async (_: unknown, args: CommandArgs & { id: string }, ctx: ApiContext, info: Info) => {
        const id = uuidArg(args.id, 'id')
        const result = await ctx.runCommand((c) => cancelExecution(id, c), commandOptions(args, info))
        return executionAfter(ctx, result, id)
      },
      rerunExecution: async (_: unknown, args: CommandArgs & { id: string; onlyFailed: boolean }, ctx: ApiContext, info: Info) => {
        const id = uuidArg(args.id, 'id')
        const result = await ctx.runCommand((c) => rerunExecution(id, args.onlyFailed, c), commandOptions(args, info))
        return executionAfter(ctx, result, result.id)
      }
    },
    Subscription: {
      executionUpdated: { subscribe: executionUpdatedSubscription, resolve: (e: ExecutionView) => e },
      executionOutput: { subscribe: executionOutputSubscription, resolve: (c: unknown) => c }
    }
  }
}
