import type { GraphQLResolveInfo } from 'graphql'
import type { CommandResult } from '../../../commands/handler.ts'
import { assignCredential, registerTarget, removeTarget, tagTarget, untagTarget, updateTarget, type RegisterTargetInput, type UpdateTargetInput } from '../../../commands/targets.ts'
import type { TargetState } from '../../../domains/targets/index.ts'
import { targetsByIds, type TargetView } from '../../../projections/queries/targets.ts'
import { queryTargets } from '../../../projections/target-filter-sql.ts'
import type { ApiContext } from '../context.ts'
import { readModel } from '../errors.ts'
import type { ApiModule } from '../module.ts'
import { commandOptions, connection, DEFAULT_PAGE, first, optionalUuidArg, readBack, uuidArg, type CommandArgs } from '../resolve.ts'

const typeDefs = /* GraphQL */ `
  enum ConnectionKind { SSH WINRM LOCAL }

  type Target {
    id: ID!
    name: String!
    address: String!
    "null for LOCAL targets."
    port: Int
    connection: ConnectionKind!
    tags: [String!]!
    credential: Credential
    "Free-form string attributes (os, rack, owner…), matched by the filter language."
    attributes: JSON!
    "Pinned SSH host key fingerprint: <type> SHA256:<hash>."
    hostKey: String
    createdAt: DateTime!
    updatedAt: DateTime!
  }
  type TargetEdge { node: Target! }
  type TargetConnection { edges: [TargetEdge!]!  pageInfo: PageInfo!  totalCount: Int! }

  type Query {
    "filter: the target filter language, e.g. 'tag:web + os:linux, name:db-*'. Ordered by name."
    targets(filter: String, first: Int, after: String): TargetConnection!
    target(id: ID!): Target
  }

  type Mutation {
    registerTarget(name: String!, address: String!, port: Int, connection: ConnectionKind!,
                   credentialId: ID, tags: [String!], attributes: JSON, commandId: ID): Target!
    "Omitted arguments stay as they are; port: null means the connection's default; attributes replaces the map."
    updateTarget(id: ID!, name: String, address: String, port: Int, connection: ConnectionKind, attributes: JSON, commandId: ID): Target!
    tagTarget(id: ID!, tags: [String!]!, commandId: ID): Target!
    untagTarget(id: ID!, tags: [String!]!, commandId: ID): Target!
    "credentialId: null unassigns."
    assignCredential(id: ID!, credentialId: ID, commandId: ID): Target!
    "Answers the id of the removed target."
    removeTarget(id: ID!, commandId: ID): ID!
  }
`

const fromState = (state: TargetState): TargetView | null => {
  if (state.status === 'absent') return null
  const now = new Date()
  return {
    id: state.targetId, name: state.name, address: state.address, port: state.port, connection: state.connection,
    credential_id: state.credentialId, tags: [...state.tags], attributes: { ...state.attributes }, host_key: state.hostKey,
    created_at: now, updated_at: now, position: 0
  }
}

const targetAfter = (ctx: ApiContext, result: CommandResult<TargetState>, id: string) =>
  readBack(result, async () => first(await targetsByIds(ctx.platform.pool, [id])), () => fromState(result.state), 'target', id)

type Info = GraphQLResolveInfo
type RegisterArgs = CommandArgs & Omit<RegisterTargetInput, 'credentialId'> & { credentialId?: string | null }
type UpdateArgs = CommandArgs & Omit<UpdateTargetInput, 'targetId'> & { id: string }

/** Explicit nulls for fields that cannot be null mean "leave as it is", like an omitted argument. */
const changes = (args: UpdateArgs): Omit<UpdateTargetInput, 'targetId'> => {
  const out: Record<string, unknown> = {}
  for (const key of ['name', 'address', 'connection', 'attributes'] as const) if (args[key] !== undefined && args[key] !== null) out[key] = args[key]
  if (args.port !== undefined) out.port = args.port
  return out
}

export const targetsModule: ApiModule = {
  typeDefs,
  resolvers: {
    Target: {
      credential: (t: TargetView, _: unknown, ctx: ApiContext) => (t.credential_id ? ctx.loaders.credential(t.credential_id) : null),
      hostKey: (t: TargetView) => t.host_key,
      createdAt: (t: TargetView) => t.created_at,
      updatedAt: (t: TargetView) => t.updated_at
    },
    Query: {
      targets: (_: unknown, args: { filter?: string | null; first?: number | null; after?: string | null }, ctx: ApiContext) =>
        readModel(() => queryTargets(ctx.platform.pool, { filter: args.filter ?? null, first: args.first ?? DEFAULT_PAGE, after: args.after ?? null })).then(connection),
      target: async (_: unknown, args: { id: string }, ctx: ApiContext) => first(await targetsByIds(ctx.platform.pool, [uuidArg(args.id, 'id')]))
    },
    Mutation: {
      registerTarget: async (_: unknown, args: RegisterArgs, ctx: ApiContext, info: Info) => {
        const { commandId: _c, ...input } = args
        const credentialId = optionalUuidArg(args.credentialId, 'credentialId')
        const result = await ctx.runCommand((c) => registerTarget({ ...input, credentialId }, c), commandOptions(args, info))
        return targetAfter(ctx, result, result.id)
      },
      updateTarget: async (_: unknown, args: UpdateArgs, ctx: ApiContext, info: Info) => {
        const targetId = uuidArg(args.id, 'id')
        const result = await ctx.runCommand((c) => updateTarget({ ...changes(args), targetId }, c), commandOptions(args, info))
        return targetAfter(ctx, result, targetId)
      },
      tagTarget: async (_: unknown, args: CommandArgs & { id: string; tags: string[] }, ctx: ApiContext, info: Info) => {
        const id = uuidArg(args.id, 'id')
        return targetAfter(ctx, await ctx.runCommand((c) => tagTarget(id, args.tags, c), commandOptions(args, info)), id)
      },
      untagTarget: async (_: unknown, args: CommandArgs & { id: string; tags: string[] }, ctx: ApiContext, info: Info) => {
        const id = uuidArg(args.id, 'id')
        return targetAfter(ctx, await ctx.runCommand((c) => untagTarget(id, args.tags, c), commandOptions(args, info)), id)
      },
      assignCredential: async (_: unknown, args: CommandArgs & { id: string; credentialId?: string | null }, ctx: ApiContext, info: Info) => {
        const id = uuidArg(args.id, 'id')
        const credentialId = optionalUuidArg(args.credentialId, 'credentialId')
        return targetAfter(ctx, await ctx.runCommand((c) => assignCredential(id, credentialId, c), commandOptions(args, info)), id)
      },
      removeTarget: async (_: unknown, args: CommandArgs & { id: string }, ctx: ApiContext, info: Info) => {
        const id = uuidArg(args.id, 'id')
        await ctx.runCommand((c) => removeTarget(id, c), commandOptions(args, info))
        return id
      }
    }
  }
}
