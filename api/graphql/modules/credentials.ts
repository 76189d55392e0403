import type { GraphQLResolveInfo } from 'graphql'
import { createCredential, deleteCredential, rotateCredential, type CreateCredentialInput } from '../../../commands/credentials.ts'
import type { CommandResult } from '../../../commands/handler.ts'
import type { CredentialKind, CredentialState, SecretMaterial } from '../../../domains/credentials/index.ts'
import { credentialsByIds, queryCredentials, type CredentialView } from '../../../projections/queries/credentials.ts'
import { text } from '../../../domains/shared/index.ts'
import type { ApiContext } from '../context.ts'
import { apiError, readModel } from '../errors.ts'
import type { ApiModule } from '../module.ts'
import { commandOptions, connection, DEFAULT_PAGE, first, readBack, uuidArg, type CommandArgs } from '../resolve.ts'

const typeDefs = /* GraphQL */ `
  enum CredentialKind { SSH_PASSWORD SSH_KEY WINRM_PASSWORD }

  """
  A login for targets. Secrets (password, private key, passphrase) are write-only: they go in
  through createCredential / rotateCredential, are sealed at once, and no field returns them.
  """
  type Credential {
    id: ID!
    name: String!
    kind: CredentialKind!
    username: String!
    createdAt: DateTime!
    updatedAt: DateTime!
    rotatedAt: DateTime
  }
  type CredentialEdge { node: Credential! }
  type CredentialConnection { edges: [CredentialEdge!]!  pageInfo: PageInfo!  totalCount: Int! }

  type Query {
    credentials(kind: CredentialKind, first: Int = ${DEFAULT_PAGE}, after: String): CredentialConnection!
    credential(id: ID!): Credential
  }

  type Mutation {
    createCredential(name: String!, kind: CredentialKind!, username: String!,
                     password: String, privateKey: String, passphrase: String, commandId: ID): Credential!
    "New secret material (and optionally a new username); the old secret is destroyed."
    rotateCredential(id: ID!, username: String, password: String, privateKey: String, passphrase: String, commandId: ID): Credential!
    "Deletes the credential and destroys its secret; answers the id."
    deleteCredential(id: ID!, commandId: ID): ID!
  }
`

const fromState = (state: CredentialState): CredentialView | null =>
  state.status === 'absent'
    ? null
    : ({ id: state.credentialId, name: state.name, kind: state.kind, username: state.username, created_at: new Date(), updated_at: new Date(), rotated_at: null } as CredentialView)

const credentialAfter = (ctx: ApiContext, result: CommandResult<CredentialState>, id: string) =>
  readBack(result, async () => first(await credentialsByIds(ctx.platform.pool, [id])), () => fromState(result.state), 'credential', id)

type Info = GraphQLResolveInfo
type RotateArgs = CommandArgs & SecretMaterial & { id: string; username?: string | null }

export const credentialResolvers = {
  Credential: {
    createdAt: (c: CredentialView) => c.created_at,
    updatedAt: (c: CredentialView) => c.updated_at,
    rotatedAt: (c: CredentialView) => c.rotated_at
  }
}

export const credentialsModule: ApiModule = {
  typeDefs,
  resolvers: {
    ...credentialResolvers,
    Query: {
      credentials: (_: unknown, args: { kind?: CredentialKind | null; first: number; after?: string | null }, ctx: ApiContext) =>
        readModel(() => queryCredentials(ctx.platform.pool, args)).then(connection),
      credential: (_: unknown, args: { id: string }, ctx: ApiContext) => ctx.loaders.credential(uuidArg(args.id, 'id'))
    },
    Mutation: {
      createCredential: async (_: unknown, args: CommandArgs & CreateCredentialInput, ctx: ApiContext, info: Info) => {
        const { commandId: _id, ...input } = args
        const result = await ctx.runCommand((c) => createCredential(input, c), commandOptions(args, info))
        return credentialAfter(ctx, result, result.id)
      },
      rotateCredential: async (_: unknown, args: RotateArgs, ctx: ApiContext, info: Info) => {
        const id = uuidArg(args.id, 'id')
        const { password, privateKey, passphrase, username } = args
        // Checked here because rotateCredential seals the new secret (storing its data key)
        // before the domain sees the username: a refused rotation must leave nothing behind.
        const fault = username != null ? text('username', username, { max: 128 })() : undefined
        if (fault) throw apiError('BAD_USER_INPUT', fault.message, { field: fault.field })
        const result = await ctx.runCommand((c) => rotateCredential(id, { password, privateKey, passphrase, ...(username != null ? { username } : {}) }, c), commandOptions(args, info))
        return credentialAfter(ctx, result, id)
      },
      deleteCredential: async (_: unknown, args: CommandArgs & { id: string }, ctx: ApiContext, info: Info) => {
        const id = uuidArg(args.id, 'id')
        await ctx.runCommand((c) => deleteCredential(id, c), commandOptions(args, info))
        return id
      }
    }
  }
}
