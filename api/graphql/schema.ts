import { makeExecutableSchema } from '@graphql-tools/schema'
import type { GraphQLSchema } from 'graphql'
import { applyAccessControl } from './access.ts'
import type { ApiModule } from './module.ts'
import { apiModules } from './modules/index.ts'

/**
 * The executable schema: every module's SDL and resolvers merged, then access control applied
 * to every field by the @auth/@public transform (see access.ts).
 */
export const buildSchema = (modules: ReadonlyArray<ApiModule> = apiModules): GraphQLSchema =>
  applyAccessControl(
    makeExecutableSchema({
      typeDefs: modules.map((m) => m.typeDefs),
      resolvers: modules.map((m) => m.resolvers) as never,
      // A resolver for a field the SDL does not declare is a typo, not a feature.
      resolverValidationOptions: { requireResolversToMatchSchema: 'error' }
    })
  )
