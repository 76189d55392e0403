import type { GraphQLResolveInfo } from 'graphql'
import type { CommandResult } from '../../../commands/handler.ts'
import { changeUserPassword, changeUserRole, disableUser, enableUser, registerUser } from '../../../commands/users.ts'
import type { Role, UserState } from '../../../domains/users/index.ts'
import { queryUsers, usersByIds, type UserView } from '../../../projections/queries/users.ts'
import type { ApiContext } from '../context.ts'
import { apiError, readModel } from '../errors.ts'
import type { ApiModule } from '../module.ts'
import { commandOptions, connection, DEFAULT_PAGE, first, readBack, uuidArg, type CommandArgs } from '../resolve.ts'

const typeDefs = /* GraphQL */ `
  type UserEdge { node: User! }
  type UserConnection { edges: [UserEdge!]!  pageInfo: PageInfo!  totalCount: Int! }

  type Query {
    "Users by username, optionally only those with one role."
    users(role: Role, first: Int = ${DEFAULT_PAGE}, after: String): UserConnection! @auth(requires: ADMIN)
    user(id: ID!): User @auth(requires: ADMIN)
  }

  type Mutation {
    createUser(username: String!, password: String!, role: Role!, commandId: ID): User! @auth(requires: ADMIN)
    "Takes effect at once, also for access tokens already issued."
    changeUserRole(id: ID!, role: Role!, commandId: ID): User! @auth(requires: ADMIN)
    "Ends every session of the user; their access and refresh tokens stop working."
    disableUser(id: ID!, commandId: ID): User! @auth(requires: ADMIN)
    enableUser(id: ID!, commandId: ID): User! @auth(requires: ADMIN)
    "Admin reset: sets a new password and ends every session of the user."
    resetUserPassword(id: ID!, password: String!, commandId: ID): User! @auth(requires: ADMIN)
  }
`

const fromState = (state: UserState): UserView | null =>
  state.status === 'absent'
    ? null
    : { id: state.userId, username: state.username, role: state.role, disabled: state.status === 'disabled', created_at: null, updated_at: null } as unknown as UserView

const userAfter = (ctx: ApiContext, result: CommandResult<UserState>, id: string) =>
  readBack(result, async () => first(await usersByIds(ctx.platform.pool, [id])), () => fromState(result.state), 'user', id)

/**
 * An admin who demotes or disables themselves could leave nobody able to manage users; one who
 * resets their own password would skip the old-password check of changePassword.
 */
const notSelf = (ctx: ApiContext, id: string, what: string, instead = 'ask another admin') => {
  if (ctx.principal?.kind === 'user' && ctx.principal.id === id) throw apiError('CONFLICT', `you cannot ${what} yourself; ${instead}`)
}

type Info = GraphQLResolveInfo

export const usersModule: ApiModule = {
  typeDefs,
  resolvers: {
    Query: {
      users: (_: unknown, args: { role?: Role | null; first: number; after?: string | null }, ctx: ApiContext) =>
        readModel(() => queryUsers(ctx.platform.pool, args)).then(connection),
      user: (_: unknown, args: { id: string }, ctx: ApiContext) => ctx.loaders.user(uuidArg(args.id, 'id'))
    },
    Mutation: {
      createUser: async (_: unknown, args: CommandArgs & { username: string; password: string; role: Role }, ctx: ApiContext, info: Info) => {
        const result = await ctx.runCommand((c) => registerUser(args, c), commandOptions(args, info))
        return userAfter(ctx, result, result.id)
      },
      changeUserRole: async (_: unknown, args: CommandArgs & { id: string; role: Role }, ctx: ApiContext, info: Info) => {
        const id = uuidArg(args.id, 'id')
        if (args.role !== 'ADMIN') notSelf(ctx, id, 'demote')
        const result = await ctx.runCommand((c) => changeUserRole(id, args.role, c), commandOptions(args, info))
        ctx.auth.forgetCachedPrincipals()
        return userAfter(ctx, result, id)
      },
      disableUser: async (_: unknown, args: CommandArgs & { id: string }, ctx: ApiContext, info: Info) => {
        const id = uuidArg(args.id, 'id')
        notSelf(ctx, id, 'disable')
        const result = await ctx.runCommand((c) => disableUser(id, c), commandOptions(args, info))
        await ctx.auth.endUserSessions(ctx, id, 'user-disabled')
        return userAfter(ctx, result, id)
      },
      enableUser: async (_: unknown, args: CommandArgs & { id: string }, ctx: ApiContext, info: Info) => {
        const id = uuidArg(args.id, 'id')
        const result = await ctx.runCommand((c) => enableUser(id, c), commandOptions(args, info))
        ctx.auth.forgetCachedPrincipals()
        return userAfter(ctx, result, id)
      },
      resetUserPassword: async (_: unknown, args: CommandArgs & { id: string; password: string }, ctx: ApiContext, info: Info) => {
        const id = uuidArg(args.id, 'id')
        notSelf(ctx, id, 'reset the password of', 'use changePassword, which asks for the current one')
        const result = await ctx.runCommand((c) => changeUserPassword(id, args.password, c), commandOptions(args, info))
        await ctx.auth.endUserSessions(ctx, id, 'password-reset')
        return userAfter(ctx, result, id)
      }
    }
  }
}
