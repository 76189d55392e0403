import type { UserView } from '../../../projections/queries/users.ts'
import type { AuthPayloadData } from '../../auth/login.ts'
import type { ApiContext } from '../context.ts'
import type { ApiModule } from '../module.ts'

const typeDefs = /* GraphQL */ `
  "A person who logs in. Never carries the password or its hash."
  type User {
    id: ID!
    username: String!
    role: Role!
    disabled: Boolean!
    createdAt: DateTime
    updatedAt: DateTime
  }

  """
  The answer of login and refreshSession. The refresh token is not here: it is set as an
  httpOnly cookie (SameSite=Strict, path /graphql), out of reach of scripts.
  """
  type AuthPayload {
    "Bearer token for the Authorization header, valid for 15 minutes."
    accessToken: String!
    expiresAt: DateTime!
    user: User!
  }

  type Query {
    "The caller. For an API token: its id, name (as token:<name>) and role."
    me: User
  }

  type Mutation {
    """
    Username and password for an access token and a refresh cookie. Failed attempts are recorded
    (LoginFailed) and throttled per username and per address: FORBIDDEN with
    extensions.reason RATE_LIMITED and retryAfterSeconds.
    """
    login(username: String!, password: String!): AuthPayload! @public
    "A new access token for the refresh cookie, which is rotated. A reused cookie ends the session."
    refreshSession: AuthPayload! @public
    "Ends the session of the refresh cookie (and of the access token, if sent)."
    logout: Boolean! @public
    "Ends every session of the caller; answers how many were live."
    revokeAllSessions: Int! @auth(requires: VIEWER, usersOnly: true)
    "Requires the current password; the caller's other sessions end."
    changePassword(oldPassword: String!, newPassword: String!): Boolean! @auth(requires: VIEWER, usersOnly: true)
  }
`

/** GraphQL `User` from a users row; an API token shows as a user without timestamps. */
export const userResolvers = {
  User: {
    disabled: (u: Partial<UserView>) => u.disabled ?? false,
    createdAt: (u: Partial<UserView>) => u.created_at ?? null,
    updatedAt: (u: Partial<UserView>) => u.updated_at ?? null
  }
}

export const authModule: ApiModule = {
  typeDefs,
  resolvers: {
    ...userResolvers,
    Query: {
      me: (_: unknown, __: unknown, ctx: ApiContext) => {
        const p = ctx.principal
        if (!p) return null
        if (p.kind === 'token') return { id: p.id, username: `token:${p.name}`, role: p.role, disabled: false }
        return ctx.loaders.user(p.id)
      }
    },
    Mutation: {
      login: (_: unknown, args: { username: string; password: string }, ctx: ApiContext): Promise<AuthPayloadData> =>
        ctx.auth.login(ctx, args.username, args.password),
      refreshSession: (_: unknown, __: unknown, ctx: ApiContext) => ctx.auth.refresh(ctx),
      logout: (_: unknown, __: unknown, ctx: ApiContext) => ctx.auth.logout(ctx),
      revokeAllSessions: (_: unknown, __: unknown, ctx: ApiContext) => ctx.auth.revokeAll(ctx),
      changePassword: (_: unknown, args: { oldPassword: string; newPassword: string }, ctx: ApiContext) =>
        ctx.auth.changePassword(ctx, args.oldPassword, args.newPassword)
    }
  }
}
