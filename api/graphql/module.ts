import type { IResolvers } from '@graphql-tools/utils'
import type { ApiContext } from './context.ts'

/**
 * One slice of the schema: SDL for a domain and its resolvers. Modules are merged in
 * `schema.ts`; access rules live in the SDL (`@auth`), not in resolvers.
 */
export interface ApiModule {
  readonly typeDefs: string
  readonly resolvers: IResolvers<unknown, ApiContext>
}
