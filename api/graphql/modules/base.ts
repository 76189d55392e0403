import { accessTypeDefs } from '../access.ts'
import type { ApiModule } from '../module.ts'
import { DateTime, JSONScalar } from '../scalars.ts'

/** What every module builds on: scalars, roles, the access directives, paging. */
export const baseModule: ApiModule = {
  typeDefs: /* GraphQL */ `
    scalar JSON
    scalar DateTime
    ${accessTypeDefs}
    type PageInfo { hasNextPage: Boolean!  endCursor: String }
    type Query
    type Mutation
  `,
  resolvers: { JSON: JSONScalar, DateTime }
}
