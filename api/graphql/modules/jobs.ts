import type { GraphQLResolveInfo } from 'graphql'
import type { CommandResult } from '../../../commands/handler.ts'
import { archiveJob, defineJob, reviseJob } from '../../../commands/jobs.ts'
import type { ConcurrencyInput, JobParameter, JobState, ParameterInput, StepInput } from '../../../domains/jobs/index.ts'
import { jobsByIds, jobVersion, queryJobs, type JobView } from '../../../projections/queries/jobs.ts'
import type { ApiContext } from '../context.ts'
import { badInput, readModel } from '../errors.ts'
import type { ApiModule } from '../module.ts'
import { commandOptions, connection, DEFAULT_PAGE, first, readBack, uuidArg, type CommandArgs } from '../resolve.ts'

const typeDefs = /* GraphQL */ `
  enum StepKind { COMMAND SCRIPT UPLOAD }
  enum ParameterType { STRING INT BOOL ENUM SECRET }
  "What a new run does while other runs of the same job are active."
  enum ConcurrencyPolicy {
    "Run at once, however many are running (max is not applied)."
    ALLOW
    "At most max at once; later runs wait (status QUEUED) and start in order."
    QUEUE
    "At most max at once; a run beyond that is refused with CONFLICT."
    SKIP
  }
  type JobConcurrency {
    policy: ConcurrencyPolicy!
    "1 to 100."
    max: Int!
  }

  type JobStep {
    name: String
    kind: StepKind!
    command: String
    script: String
    "SCRIPT: the interpreter (default /bin/sh)."
    interpreter: String
    "UPLOAD: destination path, content and octal mode."
    path: String
    content: String
    mode: String
    timeoutSeconds: Int
  }
  type JobParameter {
    name: String!
    type: ParameterType!
    required: Boolean!
    "SECRET parameters never have one."
    default: JSON
    pattern: String
    choices: [String!]
  }
  type Job {
    id: ID!
    name: String!
    description: String
    version: Int!
    steps: [JobStep!]!
    parameters: [JobParameter!]!
    concurrency: JobConcurrency!
    archived: Boolean!
    createdAt: DateTime!
    updatedAt: DateTime!
  }
  type JobEdge { node: Job! }
  type JobConnection { edges: [JobEdge!]!  pageInfo: PageInfo!  totalCount: Int! }

  type Query {
    "The current definition, or an earlier version."
    job(id: ID!, version: Int): Job
    "name: a glob such as deploy-*. Archived jobs only with includeArchived."
    jobs(name: String, includeArchived: Boolean = false, first: Int = ${DEFAULT_PAGE}, after: String): JobConnection!
  }

  type Mutation {
    """
    steps: { name?, kind, command?, script?, interpreter?, path?, content?, mode?, timeoutSeconds? };
    parameters: { name, type, required?, default?, pattern?, choices? };
    concurrency: { policy: ALLOW | QUEUE | SKIP, max?: 1-100 } (default { policy: ALLOW, max: 1 }).
    """
    defineJob(name: String!, description: String, steps: [JSON!]!, parameters: [JSON!], concurrency: JSON, commandId: ID): Job!
    "A complete new definition (a new version); name, description and concurrency stay when omitted."
    reviseJob(id: ID!, name: String, description: String, steps: [JSON!]!, parameters: [JSON!], concurrency: JSON, commandId: ID): Job!
    "Archived jobs keep their history and take no revisions."
    archiveJob(id: ID!, commandId: ID): Job!
  }
`

const fromState = (state: JobState): JobView | null => {
  if (state.status === 'absent') return null
  const now = new Date()
  const { name, description, steps, parameters, concurrency } = state.definition
  return { id: state.jobId, name, description, version: state.version, steps, parameters, concurrency, archived: state.status === 'archived', created_at: now, updated_at: now }
}

const jobAfter = (ctx: ApiContext, result: CommandResult<JobState>, id: string) =>
  readBack(result, async () => first(await jobsByIds(ctx.platform.pool, [id])), () => fromState(result.state), 'job', id)

type Info = GraphQLResolveInfo
interface DefinitionArgs extends CommandArgs {
  readonly name?: string | null
  readonly description?: string | null
  readonly steps: ReadonlyArray<unknown>
  readonly parameters?: ReadonlyArray<unknown> | null
  readonly concurrency?: unknown
}

/** The domain validates every step and parameter; JSON only arrives as `unknown` here. */
const definition = (args: DefinitionArgs) => ({
  ...(args.name !== undefined && args.name !== null ? { name: args.name } : {}),
  ...(args.description !== undefined ? { description: args.description } : {}),
  steps: args.steps as ReadonlyArray<StepInput>,
  parameters: (args.parameters ?? null) as ReadonlyArray<ParameterInput> | null,
  ...(args.concurrency !== undefined && args.concurrency !== null ? { concurrency: args.concurrency as ConcurrencyInput } : {})
})

export const jobsModule: ApiModule = {
  typeDefs,
  resolvers: {
    Job: {
      createdAt: (j: JobView) => j.created_at,
      updatedAt: (j: JobView) => j.updated_at
    },
    JobParameter: {
      // Defence in depth: the domain already refuses defaults on SECRET parameters.
      default: (p: JobParameter) => (p.type === 'SECRET' ? null : p.default)
    },
    Query: {
      job: async (_: unknown, args: { id: string; version?: number | null }, ctx: ApiContext) => {
        const id = uuidArg(args.id, 'id')
        if (args.version === undefined || args.version === null) return first(await jobsByIds(ctx.platform.pool, [id]))
        if (args.version < 1) throw badInput('version', 'must be 1 or more')
        return jobVersion(ctx.platform.pool, id, args.version)
      },
      jobs: (_: unknown, args: { name?: string | null; includeArchived: boolean; first: number; after?: string | null }, ctx: ApiContext) =>
        readModel(() => queryJobs(ctx.platform.pool, args)).then(connection)
    },
    Mutation: {
      defineJob: async (_: unknown, args: DefinitionArgs & { name: string }, ctx: ApiContext, info: Info) => {
        const result = await ctx.runCommand((c) => defineJob({ ...definition(args), name: args.name }, c), commandOptions(args, info))
        return jobAfter(ctx, result, result.id)
      },
      reviseJob: async (_: unknown, args: DefinitionArgs & { id: string }, ctx: ApiContext, info: Info) => {
        const jobId = uuidArg(args.id, 'id')
        const result = await ctx.runCommand((c) => reviseJob({ ...definition(args), jobId }, c), commandOptions(args, info))
        return jobAfter(ctx, result, jobId)
      },
      archiveJob: async (_: unknown, args: CommandArgs & { id: string }, ctx: ApiContext, info: Info) => {
        const id = uuidArg(args.id, 'id')
        return jobAfter(ctx, await ctx.runCommand((c) => archiveJob(id, c), commandOptions(args, info)), id)
      }
    }
  }
}
