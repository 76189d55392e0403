import type { GraphQLResolveInfo } from 'graphql'
import type { CommandResult } from '../../../commands/handler.ts'
import { createApiToken, revokeApiToken } from '../../../commands/tokens.ts'
import type { ApiTokenState, Role } from '../../../domains/users/index.ts'
import { apiTokensByIds, queryApiTokens, type ApiTokenView } from '../../../projections/queries/api-tokens.ts'
import type { ApiContext } from '../context.ts'
import { apiError, readModel } from '../errors.ts'
import type { ApiModule } from '../module.ts'
import { commandOptions, connection, DEFAULT_PAGE, first, readBack, uuidArg, type CommandArgs } from '../resolve.ts'

const typeDefs = /* GraphQL */ `
  "A credential for an external system, scoped to one role. The token itself is shown only once."
  type ApiToken @auth(requires: ADMIN) {
    id: ID!
    name: String!
    role: Role!
    createdAt: DateTime!
    "Who created it (user name)."
    createdBy: String
    expiresAt: DateTime
    revokedAt: DateTime
    "Updated at most once a minute."
    lastUsedAt: DateTime
  }
  type ApiTokenEdge { node: ApiToken! }
  type ApiTokenConnection { edges: [ApiTokenEdge!]!  pageInfo: PageInfo!  totalCount: Int! }

  "token: send it as 'Authorization: Bearer <token>'. It is not stored and cannot be shown again."
  type ApiTokenPayload { token: String!  id: ID!  apiToken: ApiToken! }

  type Query {
    apiTokens(includeRevoked: Boolean = false, first: Int = ${DEFAULT_PAGE}, after: String): ApiTokenConnection! @auth(requires: ADMIN)
  }

  type Mutation {
    createApiToken(name: String!, role: Role!, expiresAt: DateTime, commandId: ID): ApiTokenPayload! @auth(requires: ADMIN)
    "Takes effect at once."
    revokeApiToken(id: ID!, commandId: ID): ApiToken! @auth(requires: ADMIN)
  }
`

const fromState = (state: ApiTokenState, by: string | null): ApiTokenView | null =>
  state.status === 'absent'
    ? null
    : ({
        id: state.tokenId, name: state.name, role: state.role, expires_at: state.expiresAt, revoked_at: null, created_at: new Date(),
        created_by_id: null, created_by_name: by, last_used_at: null
      } as unknown as ApiTokenView)

const tokenAfter = (ctx: ApiContext, result: CommandResult<ApiTokenState>, id: string) =>
  readBack(result, async () => first(await apiTokensByIds(ctx.platform.pool, [id])), () => fromState(result.state, ctx.principal?.name ?? null), 'API token', id)

type Info = GraphQLResolveInfo

export const tokensModule: ApiModule = {
  typeDefs,
  resolvers: {
    ApiToken: {
      createdAt: (t: ApiTokenView) => t.created_at,
      createdBy: (t: ApiTokenView) => t.created_by_name,
      expiresAt: (t: ApiTokenView) => t.expires_at,
      revokedAt: (t: ApiTokenView) => t.revoked_at,
      lastUsedAt: (t: ApiTokenView) => t.last_used_at
    },
    Query: {
      apiTokens: (_: unknown, args: { includeRevoked: boolean; first: number; after?: string | null }, ctx: ApiContext) =>
        readModel(() => queryApiTokens(ctx.platform.pool, args)).then(connection)
    },
    Mutation: {
      createApiToken: async (_: unknown, args: CommandArgs & { name: string; role: Role; expiresAt?: string | null }, ctx: ApiContext, info: Info) => {
        const result = await ctx.runCommand((c) => createApiToken(args, c), commandOptions(args, info))
        if (result.token === null)
          throw apiError('CONFLICT', `this command id already created API token ${result.id}; its token was shown then and cannot be shown again (revoke it and create a new one)`)
        return { token: result.token, id: result.id, apiToken: await tokenAfter(ctx, result, result.id) }
      },
      revokeApiToken: async (_: unknown, args: CommandArgs & { id: string }, ctx: ApiContext, info: Info) => {
        const id = uuidArg(args.id, 'id')
        const result = await ctx.runCommand((c) => revokeApiToken(id, c), commandOptions(args, info))
        ctx.auth.forgetCachedPrincipals()
        return tokenAfter(ctx, result, id)
      }
    }
  }
}
